// How long the tunnel waits before its next attempt: a pure function over the schedule in
// config.ts (DEFAULT_TUNNEL.reconnect), so tests can pin it with an injected random source.
import { DEFAULT_TUNNEL, withDefaults, type ReconnectBackoffOptions } from '../config';

/**
 * Milliseconds to wait before attempt `failures + 1`, after `failures` (≥ 1) consecutive
 * failures: 1, 2, 4, 8, 16, 32, 60, 60 … s with the defaults, each ±20 %.
 */
export function reconnectDelayMs(
  failures: number, options: Partial<ReconnectBackoffOptions> = {}, random: () => number = Math.random,
): number {
  const o = withDefaults(DEFAULT_TUNNEL.reconnect, options);
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** Math.max(0, failures - 1));
  return Math.max(0, Math.round(base * (1 - o.jitter + 2 * o.jitter * random())));
}
