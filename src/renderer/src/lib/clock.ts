// Shared clocks: one timer per period for the whole window, aligned to the period so
// every relative time and countdown changes together.
import { useSyncExternalStore } from 'react';

interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Stable (one per clock): React resubscribes whenever this function changes. */
  subscribe: (listener: () => void) => () => void;
  snapshot: () => number;
}
const clocks = new Map<number, Clock>();

function clockFor(periodMs: number): Clock {
  const existing = clocks.get(periodMs);
  if (existing) return existing;
  const c: Clock = {
    now: Date.now(),
    listeners: new Set(),
    timer: undefined,
    subscribe(listener) {
      c.listeners.add(listener);
      if (c.timer === undefined) {
        // The clock was asleep: catch up (React re-reads the snapshot after subscribing).
        c.now = Date.now();
        schedule(periodMs, c);
      }
      return () => {
        c.listeners.delete(listener);
        if (c.listeners.size === 0) {
          clearTimeout(c.timer);
          c.timer = undefined;
        }
      };
    },
    snapshot: () => c.now,
  };
  clocks.set(periodMs, c);
  return c;
}

function schedule(periodMs: number, c: Clock): void {
  const delay = periodMs - (Date.now() % periodMs) + 5;
  c.timer = setTimeout(() => {
    c.now = Date.now();
    schedule(periodMs, c);
    for (const l of [...c.listeners]) l();
  }, delay);
}

/** The current time, re-rendering every `periodMs` (1000 for countdowns, 60000 for "3 min ago"). */
export function useNow(periodMs: number): number {
  const c = clockFor(periodMs);
  return useSyncExternalStore(c.subscribe, c.snapshot);
}
