// Outgoing HTTP for federation: keep-alive node:http(s) agents with a bound on idle sockets
// (keepAliveAgents.ts), a deadline and a size cap on every request (httpExchange.ts), and an
// SSRF guard that refuses loopback/private/link-local addresses (checked on the resolved
// address, so DNS cannot smuggle them in).
import { connect, isIP, type LookupFunction } from 'node:net';
import { createWriteStream, rmSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { DEFAULT_DELIVERY, DEFAULT_HTTP_CLIENT, type HttpClientConfig } from '../config';
import { isPrivateAddress } from './privateAddresses';
import { KeepAliveAgents } from './keepAliveAgents';
import { Exchange } from './httpExchange';

export type FetchErrorKind = 'blocked' | 'timeout' | 'too_large' | 'http' | 'network' | 'invalid';

export class FetchError extends Error {
  constructor(message: string, readonly kind: FetchErrorKind, readonly status?: number, readonly code?: string) {
    super(message);
    this.name = 'FetchError';
  }
}

export { isPrivateAddress };

export interface HttpClientOptions extends Partial<HttpClientConfig> {
  /** Let requests reach loopback/private addresses (tests, benchmarks, LAN peers). */
  allowPrivateNetwork: boolean;
  /** Private addresses allowed all the same (exact IPs): one LAN peer, or a test's remote on 127.x. */
  privateNetworkAllowlist?: string[];
  userAgent: string;
  /** Per-origin connection cap of the agents. Default: delivery's perHostConcurrency. */
  connectionsPerOrigin?: number;
  /** TCP/TLS connect deadline. Default: delivery's connectTimeoutMs. */
  connectTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  maxBytes: number;
}

export interface DownloadOptions {
  /** The file the body is written to; removed again on any failure. */
  dest: string;
  /** Bodies larger than this are cut off (and the download fails as too_large). */
  maxBytes: number;
  /** One deadline for the whole download, redirects and a slow body included. */
  timeoutMs: number;
  /** Redirects followed, each target re-checked by the SSRF guard. */
  maxRedirects: number;
  headers?: Record<string, string>;
}

export interface Download {
  /** The URL that finally answered (after redirects). */
  url: string;
  /** What the server said it is (never trusted: callers sniff the bytes). */
  contentType: string | undefined;
  bytes: number;
}

export class HttpClient {
  readonly agents: KeepAliveAgents;
  /** DNS lookup that refuses private answers (unless allowed): every connection of ours uses it. */
  private readonly lookup;
  /** Exchanges under way (cut off by close() after its grace). */
  private readonly running = new Set<Exchange>();
  /** close() waiting for the running exchanges to end. */
  private drained: (() => void) | undefined;
  private closed = false;

  constructor(readonly options: HttpClientOptions) {
    const guardedLookup = (
      hostname: string,
      opts: object,
      cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return cb(err, []);
        const list = addresses as LookupAddress[];
        if (!options.allowPrivateNetwork && list.some((a) => isPrivateAddress(a.address) && !this.allowlisted(a.address))) {
          const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address`);
          e.code = 'EPRIVATEADDR';
          return cb(e, []);
        }
        if ((opts as { all?: boolean }).all) cb(null, list);
        else cb(null, list[0]!.address, list[0]!.family);
      });
    };
    this.lookup = guardedLookup;
    this.agents = new KeepAliveAgents({
      connectionsPerOrigin: options.connectionsPerOrigin ?? DEFAULT_DELIVERY.perHostConcurrency,
      idleSocketsMax: options.idleSocketsMax ?? DEFAULT_HTTP_CLIENT.idleSocketsMax,
      idleTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_HTTP_CLIENT.keepAliveTimeoutMs,
      lookup: guardedLookup as LookupFunction,
    });
  }

  private allowlisted(address: string): boolean {
    return this.options.privateNetworkAllowlist?.includes(address) ?? false;
  }

  /** Throws FetchError('blocked') for URLs we must not fetch. */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new FetchError(`not a URL: ${raw}`, 'invalid');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FetchError(`unsupported scheme in ${raw}`, 'invalid');
    if (url.username || url.password) throw new FetchError('URLs with credentials are refused', 'invalid');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.options.allowPrivateNetwork) {
      if (isIP(host) && isPrivateAddress(host) && !this.allowlisted(host)) throw new FetchError(`${host} is a private address`, 'blocked');
      // 'localhost.' (fully qualified) is the same name as 'localhost'.
      const name = host.toLowerCase().replace(/\.+$/, '');
      if (name === 'localhost' || name.endsWith('.localhost')) throw new FetchError(`${host} is local`, 'blocked');
    }
    return url;
  }

  /**
   * Whether a TCP connection to the origin's host and port opens within `timeoutMs` (the
   * delivery engine's connectivity probe), through the same address guard as requests.
   */
  canConnect(origin: string, timeoutMs: number): Promise<boolean> {
    let url: URL;
    try {
      url = this.checkUrl(origin);
    } catch {
      return Promise.resolve(false);
    }
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    return new Promise((resolve) => {
      const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port, timeout: timeoutMs, lookup: this.lookup as never });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(false));
      socket.once('error', () => done(false));
    });
  }

  async request(raw: string, opts: RequestOptions): Promise<HttpResponse> {
    const url = this.checkUrl(raw);
    const headers: OutgoingHttpHeaders = { 'user-agent': this.options.userAgent, ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const x = this.open(url, opts.method ?? 'GET', headers, opts.timeoutMs, opts.body);
    try {
      const res = await x.head;
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > opts.maxBytes) {
        x.fail(new FetchError(`${url.host} sent ${length} bytes (cap ${opts.maxBytes})`, 'too_large', res.statusCode));
        throw x.error;
      }
      const body = await x.readBody(res, opts.maxBytes, () => new FetchError(`${url.host} sent more than ${opts.maxBytes} bytes`, 'too_large', res.statusCode));
      return { status: res.statusCode ?? 0, headers: res.headers, body };
    } catch (err) {
      if (err instanceof FetchError) throw err;
      throw toFetchError(err, url);
    }
  }

  /** Starts one exchange (see httpExchange.ts); refused once the client is closed. */
  private open(url: URL, method: 'GET' | 'POST', headers: OutgoingHttpHeaders, timeoutMs: number, body?: string | Buffer): Exchange {
    if (this.closed) throw new FetchError('the HTTP client is closed', 'network', undefined, 'ECLOSED');
    const x = new Exchange(url, {
      method, headers, body, agent: this.agents.for(url), timeoutMs,
      connectTimeoutMs: Math.min(timeoutMs, this.options.connectTimeoutMs ?? DEFAULT_DELIVERY.connectTimeoutMs),
    }, (done) => {
      this.running.delete(done);
      if (this.running.size === 0) this.drained?.();
    });
    this.running.add(x);
    return x;
  }

  /**
   * GETs a (possibly large) body straight to a file: a byte cap that cuts the stream off,
   * one deadline for everything, and redirects followed by hand so that every hop passes
   * `checkUrl` and the guarded DNS lookup. Only a 200 is a download.
   */
  async download(raw: string, opts: DownloadOptions): Promise<Download> {
    const deadline = Date.now() + opts.timeoutMs;
    let current = raw;
    for (let hop = 0; hop <= opts.maxRedirects; hop++) {
      const url = this.checkUrl(current);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new FetchError(`${url.host} timed out`, 'timeout', undefined, 'ETIMEDOUT');
      const x = this.open(url, 'GET', { 'user-agent': this.options.userAgent, ...opts.headers }, remaining);
      let res: IncomingMessage;
      try {
        res = await x.head;
      } catch (err) {
        throw toFetchError(err, url);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      const drop = (err: FetchError): FetchError => {
        x.fail(err);
        return err;
      };
      if (status >= 300 && status < 400 && typeof location === 'string') {
        drop(new FetchError(`GET ${url.host} redirected`, 'http', status));
        current = new URL(location, url).toString();
        continue;
      }
      if (status !== 200) throw drop(new FetchError(`GET ${url.host} answered ${status}`, 'http', status));
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > opts.maxBytes) {
        throw drop(new FetchError(`${url.host} offers ${length} bytes (cap ${opts.maxBytes})`, 'too_large', status));
      }
      let bytes = 0;
      const cap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          if (bytes > opts.maxBytes) done(new FetchError(`${url.host} sent more than ${opts.maxBytes} bytes`, 'too_large', 200));
          else done(null, chunk);
        },
      });
      try {
        await pipeline(res, cap, createWriteStream(opts.dest, { mode: 0o600 }));
        x.settle();
      } catch (err) {
        const cause = x.error ?? err;
        x.fail(cause instanceof Error ? cause : new Error(String(cause)));
        rmSync(opts.dest, { force: true });
        if (cause instanceof FetchError) throw cause;
        throw toFetchError(cause, url);
      }
      const type = res.headers['content-type'];
      return { url: url.toString(), contentType: typeof type === 'string' ? type : undefined, bytes };
    }
    throw new FetchError(`GET ${raw}: too many redirects`, 'invalid');
  }

  /** Idle keep-alive sockets held open right now, across all servers. */
  get idleSockets(): number {
    return this.agents.idleSockets;
  }

  /** Refuses new requests; those still running after `graceMs` are cut off rather than awaited. */
  async close(graceMs = this.options.closeGraceMs ?? DEFAULT_HTTP_CLIENT.closeGraceMs): Promise<void> {
    this.closed = true;
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    for (const x of [...this.running]) x.fail(new FetchError('the HTTP client was closed', 'network', undefined, 'ECLOSED'));
    this.agents.destroy();
  }
}

function toFetchError(err: unknown, url: URL): FetchError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code ?? e?.name;
  if (code === 'EPRIVATEADDR' || e?.cause?.code === 'EPRIVATEADDR') {
    return new FetchError(`${url.hostname} resolves to a private address`, 'blocked', undefined, 'EPRIVATEADDR');
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || /Timeout/i.test(String(code))) {
    return new FetchError(`${url.host} timed out`, 'timeout', undefined, String(code));
  }
  return new FetchError(`${url.host}: ${e?.message ?? String(err)}`, 'network', undefined, code ? String(code) : undefined);
}
