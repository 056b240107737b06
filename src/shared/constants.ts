// Numbers and names the core and the UI must agree on. No runtime dependencies: imported
// by main, preload and renderer alike.

/**
 * Deliveries waiting (queued + parked) above which the instance warns: a line in the log
 * and the dashboard's backlog banner. 5000 is ten seconds of work at the measured
 * fan-out rate, so a big post or two never trips it; a pile-up of hours does.
 */
export const BACKLOG_WARN_DELIVERIES = 5000;

/** Whether a queue holds a backlog worth telling the user about. */
export function isBacklogged(q: { queued: number; parked: number }): boolean {
  return q.queued + q.parked > BACKLOG_WARN_DELIVERIES;
}

/** localtunnel's public server: the default tunnel server. */
export const DEFAULT_TUNNEL_SERVER = 'https://localtunnel.me';
