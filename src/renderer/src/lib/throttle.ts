// Rate limits for refetches driven by live events: the first call runs at once, calls
// during the quiet period collapse into one trailing run.

export interface Throttled {
  (): void;
  cancel(): void;
}

export function throttle(fn: () => unknown, minIntervalMs: number): Throttled {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    void fn();
  };
  const call = (() => {
    if (timer) return;
    const wait = last + minIntervalMs - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  }) as Throttled;
  call.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
