// When hosts that are not ready yet should be looked at again (a retry falls due, a
// backoff or a Retry-After ends): a min-heap of wake-ups and one real timer for the
// earliest. Times come from the engine's clock; the timer runs on the real one, so tests
// that move an injected clock call the engine's tick().
import { MinHeap } from './minHeap';
import type { HostQueue } from './hostQueues';
import { timerDelay } from '../timers';

export class HostTimers {
  private readonly heap = new MinHeap<HostQueue>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly onTimer: () => void, private readonly now: () => number) {}

  /** Wakes the host at `at`, unless an earlier wake-up of it is still pending. */
  wakeAt(hq: HostQueue, at: number): void {
    if (at >= hq.timerAt && hq.timerAt > this.now()) return;
    hq.timerAt = at;
    this.heap.push(at, hq);
    if (at < this.timerAt) this.arm();
  }

  /** Takes the hosts whose wake-up time has come; arm() afterwards sets the timer for the rest. */
  due(): HostQueue[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const due: HostQueue[] = [];
    while ((this.heap.peekKey() ?? Infinity) <= now) {
      const hq = this.heap.pop()!;
      if (hq.timerAt <= now) hq.timerAt = Infinity;
      due.push(hq);
    }
    return due;
  }

  /** Sets the real timer for the earliest wake-up. */
  arm(): void {
    const next = this.heap.peekKey();
    if (next === undefined || this.stopped) return;
    if (next >= this.timerAt && this.timer) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(this.onTimer, timerDelay(next, this.now()));
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
