// Outgoing HTTP for federation: one keep-alive undici Agent, a deadline and a size cap
// on every request, and an SSRF guard that refuses loopback/private/link-local
// addresses (checked on the resolved address, so DNS cannot smuggle them in).
import { BlockList, connect, isIP } from 'node:net';
import { createWriteStream, rmSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, request, type Dispatcher } from 'undici';
import { DEFAULT_DELIVERY, DEFAULT_HTTP_CLIENT, type HttpClientConfig } from '../config';

export type FetchErrorKind = 'blocked' | 'timeout' | 'too_large' | 'http' | 'network' | 'invalid';

export class FetchError extends Error {
  constructor(message: string, readonly kind: FetchErrorKind, readonly status?: number, readonly code?: string) {
    super(message);
    this.name = 'FetchError';
  }
}

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) privateRanges.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

/** The 8 groups of an IPv6 address (trailing dotted IPv4 allowed), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail, ...rest] = text.split('::');
  if (rest.length) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IPv4 address an IPv6 one embeds by a translation prefix (NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  // 64:ff9b::/96 (well-known NAT64) and 64:ff9b:1::/48 (local-use NAT64): the last 32 bits.
  if (g[0] === 0x64 && g[1] === 0xff9b && (g[2] === 1 || g.slice(2, 6).every((x) => x === 0))) return v4(g[6]!, g[7]!);
  // 2002::/16 (6to4): bits 16-47.
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return undefined;
}

/** True for loopback, private, link-local, multicast, documentation and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
    if (privateRanges.check(address, 'ipv6')) return true;
    const embedded = embeddedIpv4(address);
    return embedded !== undefined && privateRanges.check(embedded, 'ipv4');
  }
  return true;
}

export interface HttpClientOptions extends Partial<HttpClientConfig> {
  /** Let requests reach loopback/private addresses (tests, benchmarks, LAN peers). */
  allowPrivateNetwork: boolean;
  /** Private addresses allowed all the same (exact IPs): one LAN peer, or a test's remote on 127.x. */
  privateNetworkAllowlist?: string[];
  userAgent: string;
  /** Per-origin connection cap of the shared Agent. Default: delivery's perHostConcurrency. */
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
  readonly agent: Agent;
  /** DNS lookup that refuses private answers (unless allowed): every connection of ours uses it. */
  private readonly lookup;

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
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? DEFAULT_DELIVERY.perHostConcurrency,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_HTTP_CLIENT.keepAliveTimeoutMs,
      connect: { timeout: options.connectTimeoutMs ?? DEFAULT_DELIVERY.connectTimeoutMs, lookup: guardedLookup as never },
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
    const signal = AbortSignal.timeout(opts.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: opts.method ?? 'GET',
        headers: { 'user-agent': this.options.userAgent, ...opts.headers },
        body: opts.body,
        dispatcher: this.agent,
        signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    } catch (err) {
      throw toFetchError(err, url);
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > opts.maxBytes) {
      res.body.destroy();
      throw new FetchError(`${url.host} sent ${length} bytes (cap ${opts.maxBytes})`, 'too_large', res.statusCode);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body) {
        total += (chunk as Buffer).length;
        if (total > opts.maxBytes) {
          res.body.destroy();
          throw new FetchError(`${url.host} sent more than ${opts.maxBytes} bytes`, 'too_large', res.statusCode);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof FetchError) throw err;
      throw toFetchError(err, url);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /**
   * GETs a (possibly large) body straight to a file: a byte cap that cuts the stream off,
   * one deadline for everything, and redirects followed by hand so that every hop passes
   * `checkUrl` and the guarded DNS lookup. Only a 200 is a download.
   */
  async download(raw: string, opts: DownloadOptions): Promise<Download> {
    const signal = AbortSignal.timeout(opts.timeoutMs);
    let current = raw;
    for (let hop = 0; hop <= opts.maxRedirects; hop++) {
      const url = this.checkUrl(current);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: 'GET', headers: { 'user-agent': this.options.userAgent, ...opts.headers }, dispatcher: this.agent, signal,
          headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs,
        });
      } catch (err) {
        throw toFetchError(err, url);
      }
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
        discard(res.body);
        current = new URL(location, url).toString();
        continue;
      }
      if (res.statusCode !== 200) {
        discard(res.body);
        throw new FetchError(`GET ${url.host} answered ${res.statusCode}`, 'http', res.statusCode);
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > opts.maxBytes) {
        discard(res.body);
        throw new FetchError(`${url.host} offers ${length} bytes (cap ${opts.maxBytes})`, 'too_large', res.statusCode);
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
        await pipeline(res.body, cap, createWriteStream(opts.dest, { mode: 0o600 }), { signal });
      } catch (err) {
        discard(res.body);
        rmSync(opts.dest, { force: true });
        if (err instanceof FetchError) throw err;
        throw toFetchError(signal.aborted ? signal.reason : err, url);
      }
      const type = res.headers['content-type'];
      return { url: url.toString(), contentType: typeof type === 'string' ? type : undefined, bytes };
    }
    throw new FetchError(`GET ${raw}: too many redirects`, 'invalid');
  }

  /** Closes the pool; requests still running after `graceMs` are cut off rather than awaited. */
  async close(graceMs = this.options.closeGraceMs ?? DEFAULT_HTTP_CLIENT.closeGraceMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = this.agent.close().then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const done = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (!done) await this.agent.destroy().catch(() => {});
  }
}

/** Drops a response body we will not read (its abort error has no one to tell). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
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
