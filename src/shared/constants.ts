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

/**
 * The Electron window's scheme for media (its page is a file: URL, with no admin port):
 * `outpost-media://app/media/…` answers what `/media/…` answers on the admin origin.
 */
export const MEDIA_SCHEME = 'outpost-media';

/**
 * The window's Content-Security-Policy, one definition for its three carriers: the
 * Electron session's response header, the admin port's header (headless), and a <meta> in
 * the built index.html (file:// loads have no headers). Only what a <meta> may carry is
 * here; UI_FRAME_POLICY adds what only a header can.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
  // Pictures, video and sound come only from the instance (its media cache and uploads):
  // the window never asks a remote server for anything (privacy, as a media proxy).
  `img-src 'self' ${MEDIA_SCHEME}:`, `media-src 'self' ${MEDIA_SCHEME}:`,
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
].join('; ');

/** The header-only part: nobody frames the window. */
export const UI_FRAME_POLICY = "frame-ancestors 'none'";
