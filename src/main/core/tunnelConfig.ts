// The tunnel's tunables — reconnect backoff, reachability checks, attempt deadlines — kept
// beside config.ts (which re-exports them) so that file stays one readable page. Units in
// the names, defaults beside them, as there.
import { DEFAULT_TUNNEL_SERVER } from '../../shared/constants';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const MiB = 1024 * 1024;

export interface ReconnectBackoffOptions {
  /** Delay before the first retry after a failure or a drop. Default 1 s. */
  initialDelayMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor: number;
  /** Longest delay between attempts. Default 60 s. */
  maxDelayMs: number;
  /** Randomize each delay by ±this fraction, so many clients do not come back in step. Default 0.2. */
  jitter: number;
}

export interface ReachabilityConfig {
  /** Time between two checks of our own actor through the public URL. Default 5 min. */
  intervalMs: number;
  /** Deadline for one check, connect to last byte. Default 10 s. */
  timeoutMs: number;
  /** Largest actor document read. Default 1 MiB. */
  maxBytes: number;
}

export interface TunnelConfig {
  /** The localtunnel server. Default https://localtunnel.me. */
  host: string;
  /** Deadline for one attempt: server check, tunnel registration and the first tunnel socket. Default 15 s. */
  attemptTimeoutMs: number;
  /** Deadline for the quick "is the tunnel server there at all" request before each attempt. Default 5 s. */
  preflightTimeoutMs: number;
  /** How long `--tunnel` (and the app's launch) waits for the tunnel before starting without it. Default 30 s. */
  bootWaitMs: number;
  /** A tunnelled connection whose target refuses is held this long before it is closed. Default 1 s. */
  refusedHoldMs: number;
  /** 1, 2, 4, 8, 16, 32, 60, 60 … s between attempts, each ±20 %. */
  reconnect: ReconnectBackoffOptions;
  reachability: ReachabilityConfig;
}

export const DEFAULT_TUNNEL: TunnelConfig = {
  host: DEFAULT_TUNNEL_SERVER,
  attemptTimeoutMs: 15 * SECOND_MS,
  preflightTimeoutMs: 5 * SECOND_MS,
  bootWaitMs: 30 * SECOND_MS,
  refusedHoldMs: SECOND_MS,
  reconnect: { initialDelayMs: SECOND_MS, factor: 2, maxDelayMs: MINUTE_MS, jitter: 0.2 },
  reachability: { intervalMs: 5 * MINUTE_MS, timeoutMs: 10 * SECOND_MS, maxBytes: MiB },
};
