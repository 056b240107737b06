// The tunnel's tunables, with units in the names and each default beside it.
// (Kept beside the tunnel code; they can move into ../config.ts with the other tunables.)

/** localtunnel's public server. */
export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

export interface ReconnectBackoffOptions {
  /** Delay before the first retry after a failure or a drop. Default 1 s. */
  initialDelayMs?: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** Longest delay between attempts. Default 60 s. */
  maxDelayMs?: number;
  /** Randomize each delay by ±this fraction, so many clients do not come back in step. Default 0.2. */
  jitter?: number;
}

export interface TunnelTimeouts {
  /** Deadline for one attempt: server check, tunnel registration and the first tunnel socket. Default 15 s. */
  attemptTimeoutMs: number;
  /** Deadline for the quick "is the tunnel server there at all" request before each attempt. Default 5 s. */
  preflightTimeoutMs: number;
}

export const DEFAULT_TUNNEL_TIMEOUTS: TunnelTimeouts = { attemptTimeoutMs: 15_000, preflightTimeoutMs: 5_000 };

export interface ReachabilityConfig {
  /** Time between two checks. Default 5 min. */
  intervalMs: number;
  /** Deadline for one check, connect to last byte. Default 10 s. */
  timeoutMs: number;
  /** Largest actor document read. Default 1 MiB. */
  maxBytes: number;
}

export const DEFAULT_REACHABILITY: ReachabilityConfig = { intervalMs: 5 * 60_000, timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/**
 * Milliseconds to wait before attempt `failures + 1`, after `failures` (≥ 1) consecutive
 * failures: 1, 2, 4, 8, 16, 32, 60, 60 … s with the defaults, each ±20 %.
 */
export function reconnectDelayMs(failures: number, options: ReconnectBackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 1_000;
  const factor = options.factor ?? 2;
  const max = options.maxDelayMs ?? 60_000;
  const jitter = options.jitter ?? 0.2;
  const base = Math.min(max, initial * factor ** Math.max(0, failures - 1));
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * random())));
}
