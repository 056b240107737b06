// The admin API over loopback HTTP (headless mode): POST /rpc/<method>, GET /events (SSE),
// and the built renderer for a browser. Bearer token on everything but the static UI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { ADMIN_ERROR_STATUS, AdminError } from '../../shared/adminApi';
import { UI_CONTENT_SECURITY_POLICY, UI_FRAME_POLICY } from '../../shared/constants';
import type { InstanceEvents } from '../core/events';
import type { Logger } from '../core/logger';
import { BodyTooLargeError, readBody, sendJson, sendText } from '../core/http/httpUtil';
import { sendFileReply, type FileReply } from '../core/http/fileReply';
import { invokeAdmin, type AdminHandlers } from './adminService';
import { forwardEvents } from './eventThrottle';
import { DEFAULT_ADMIN } from '../core/config';

/** What the admin port serves at `/`: a built renderer folder, or why there is none. */
export interface AdminUi {
  /** Folder with the built index.html and assets (never a source folder). */
  dir?: string;
  /** Why there is no UI to serve (shown in its place). */
  unavailable?: string;
}

export interface AdminHttpOptions {
  handlers: AdminHandlers;
  events: InstanceEvents;
  token: string;
  log: Logger;
  /** The built renderer, looked up per request so a build finished after start is served. */
  ui?: () => AdminUi;
  /** Prometheus exposition for GET /metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /**
   * What GET /media/… answers (our uploads, the remote media cache). No bearer token: an
   * <img> cannot send one. Cache paths are capabilities this instance made (MAC'd), local
   * files are public anyway, and Cross-Origin-Resource-Policy keeps other sites from embedding them.
   */
  media?: (path: string, range: string | undefined) => Promise<FileReply>;
}

/** The only files the UI is made of; anything else (.tsx, .ts, .map, …) is never served. */
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.ico': 'image/x-icon', '.json': 'application/json', '.woff': 'font/woff', '.woff2': 'font/woff2',
};
const UI_CSP = `${UI_CONTENT_SECURITY_POLICY}; ${UI_FRAME_POLICY}`;

export function createAdminServer(opts: AdminHttpOptions): Server {
  const tokenHash = createHash('sha256').update(opts.token).digest();
  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : url.pathname === '/events' ? url.searchParams.get('token') : null;
    if (!given) return false;
    return timingSafeEqual(createHash('sha256').update(given).digest(), tokenHash);
  };

  return createServer((req, res) => {
    handle(req, res).catch((err) => {
      // The path only: a query may carry the token (`/events?token=`).
      opts.log.error(`admin ${req.method} ${pathOf(req)}: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page on another site whose name was rebound to 127.0.0.1 still sends its own name
    // as Host: only our loopback names and port are us, whatever the token says.
    if (!isOwnHost(req.headers.host, req.socket.localPort)) {
      return sendJson(res, 403, { error: { code: 'forbidden', message: 'the admin port answers only to 127.0.0.1, localhost or [::1] on its own port' } });
    }
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    // Browsers send Origin on cross-site requests: only our own page may call us.
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return sendJson(res, 403, { error: { code: 'forbidden', message: 'cross-origin request refused' } });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return sendJson(res, 400, { error: { code: 'bad_request', message: 'malformed percent-escape in the path' } });
    }

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'use POST' } }, undefined, { allow: 'POST' });
      if (!authorized(req, url)) return sendError(res, new AdminError('unauthorized', 'missing or wrong bearer token'));
      let params: unknown = {};
      try {
        const body = await readBody(req, path === '/rpc/uploadMedia' ? DEFAULT_ADMIN.uploadRpcMaxBytes : DEFAULT_ADMIN.rpcMaxBytes);
        if (body.length > 0) params = JSON.parse(body.toString('utf8'));
      } catch (err) {
        const message = err instanceof BodyTooLargeError ? 'request body too large' : 'request body is not JSON';
        return sendError(res, new AdminError('bad_params', message));
      }
      try {
        const result = await invokeAdmin(opts.handlers, path.slice(5), params);
        return sendJson(res, 200, result ?? {});
      } catch (err) {
        if (err instanceof AdminError) return sendError(res, err);
        throw err;
      }
    }
    if (url.pathname === '/metrics' && opts.metrics) {
      if (!authorized(req, url)) return sendError(res, new AdminError('unauthorized', 'missing or wrong bearer token'));
      const { contentType, body } = await opts.metrics();
      return sendText(res, 200, body, contentType, { 'cache-control': 'no-store' });
    }
    if (url.pathname === '/events') {
      if (!authorized(req, url)) return sendError(res, new AdminError('unauthorized', 'missing or wrong bearer token'));
      return serveEvents(req, res);
    }
    if (url.pathname.startsWith('/media/') && opts.media && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendFileReply(req, res, await opts.media(url.pathname, req.headers.range));
    }
    if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(url, path, res);
    return sendJson(res, 404, { error: { code: 'not_found', message: 'not found' } });
  }

  function serveEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': outpost events\n\n');
    const stop = forwardEvents(opts.events, (name, data) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), DEFAULT_ADMIN.eventPingMs);
    ping.unref();
    req.on('close', () => {
      clearInterval(ping);
      stop();
    });
  }

  async function serveStatic(url: URL, path: string, res: ServerResponse): Promise<void> {
    const ui = opts.ui?.() ?? {};
    const dir = ui.dir;
    if (!dir) {
      const why = ui.unavailable ?? 'it is not built (run `npm run build`)';
      return sendUi(res, 503, 'text/html; charset=utf-8', Buffer.from(
        `<!doctype html><title>Outpost</title><p>The admin UI is not available: ${escapeHtml(why)}.</p><p>The admin API works (<code>POST /rpc/&lt;method&gt;</code>).</p>`,
      ), 'no-store');
    }
    const notFound = () => sendText(res, 404, 'not found', 'text/plain');
    const rel = normalize(path).replace(/^([/\\])+/, '');
    let file = join(dir, rel || 'index.html');
    if (!file.startsWith(normalize(dir) + sep) && file !== join(dir, 'index.html')) return sendJson(res, 404, { error: { code: 'not_found', message: 'not found' } });
    // Extension-less paths are client-side routes: index.html. A path naming a file must be
    // one of the UI's file types and exist; there is no fallback that could hand out sources.
    const type = MIME[extname(file)];
    if (!extname(file)) file = join(dir, 'index.html');
    else if (!type) return notFound();
    const st = await stat(file).catch(() => undefined);
    const body = st?.isFile() ? await readFile(file).catch(() => undefined) : undefined;
    if (!body) {
      // Browsers ask for it on their own; "no icon" keeps their consoles free of a 404.
      if (url.pathname === '/favicon.ico') return void res.writeHead(204, { 'cache-control': `public, max-age=${DEFAULT_ADMIN.assetMaxAgeSeconds}` }).end();
      return notFound();
    }
    sendUi(res, 200, type ?? MIME['.html']!, body, file.endsWith('index.html') ? 'no-cache' : `public, max-age=${DEFAULT_ADMIN.assetMaxAgeSeconds}`);
  }

  function sendUi(res: ServerResponse, status: number, contentType: string, body: Buffer, cacheControl: string): void {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': body.length,
      'content-security-policy': UI_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': cacheControl,
    });
    res.end(body);
  }
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a Host header names this server: a loopback name and the port it listens on. */
export function isOwnHost(host: string | undefined, port: number | undefined): boolean {
  const m = host ? /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(host.toLowerCase()) : null;
  return !!m && LOOPBACK_NAMES.has(m[1]!) && port !== undefined && Number(m[2]) === port;
}

/** The request's path without its query (which may hold a token). */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!.slice(0, 200);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendError(res: ServerResponse, err: AdminError): void {
  sendJson(res, ADMIN_ERROR_STATUS[err.code], { error: { code: err.code, message: err.message } });
}
