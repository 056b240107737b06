// The tunnel that gives a laptop a public address: the localtunnel client, wrapped in a
// state machine with a deadline on every attempt and reconnects with backoff.
//
//   off → connecting → online(url) ─(drop)→ reconnecting → connecting → …
//                    ↘ (attempt failed) ↗               error(reason): will not retry
//
// localtunnel's own behaviour we work around:
// - it retries its registration request every second, forever, while the server is
//   unreachable, and close() does not stop that loop. Each attempt therefore first checks
//   the server answers at all (a cheap GET with a deadline), and only then starts a
//   client; the attempt deadline closes a client that still has not come up.
// - with `local_host` set it rewrites the Host header, which breaks HTTP signatures; we
//   never set it (see localForwarder.ts).
// - it reports a dead tunnel server only as an 'error' (ECONNREFUSED on a tunnel socket);
//   a dropped tunnel socket it replaces by itself, so that is not a state change here.
import { EventEmitter } from 'node:events';
import localtunnel from 'localtunnel';
import { request } from 'undici';
import { silentLogger, type Logger } from '../logger';
import { LocalForwarder } from './localForwarder';
import {
  reconnectDelayMs,
} from './reconnectBackoff';
import { DEFAULT_TUNNEL, type ReconnectBackoffOptions } from '../config';

export type { TunnelState } from '../../../shared/dto';
import type { TunnelState } from '../../../shared/dto';

/** What the wrapper needs of a localtunnel client (tests pass a fake). */
export interface TunnelHandle extends EventEmitter {
  close(): void;
}

/**
 * Starts a tunnel client; returns it at once (so it can be closed while it is still
 * registering) and calls `done` once it is registered. It then emits 'url' when its first
 * tunnel socket is connected, 'error' and 'close'.
 */
export type OpenTunnel = (opts: { port: number; host: string; subdomain?: string }, done: (err?: Error) => void) => TunnelHandle;

/** Resolves if the tunnel server answers HTTP at all; rejects with a reason otherwise. */
export type Preflight = (host: string, timeoutMs: number) => Promise<void>;

export interface TunnelClientOptions {
  /** The public (federation) server's port. */
  localPort: number;
  /**
   * The address the public server listens on. Unless it is 'localhost' (or unset), the
   * tunnel reaches it through a loopback relay, so the Host header is never rewritten.
   */
  localHost?: string;
  /** Tunnel server. Default https://localtunnel.me. */
  host?: string;
  /** Subdomain to ask for (the server may hand out another one when it is taken). */
  subdomain?: string;
  /** Deadline for one attempt (server check, registration, first tunnel socket). Default 15 s. */
  attemptTimeoutMs?: number;
  /** Deadline for the server check that starts each attempt. Default 5 s (never more than attemptTimeoutMs). */
  preflightTimeoutMs?: number;
  /** Delays between attempts: 1 s doubling to 60 s, ±20 % (config.ts). */
  reconnect?: Partial<ReconnectBackoffOptions>;
  /** Consecutive failed attempts after which the state becomes 'error'. Default: never give up. */
  maxAttempts?: number;
  log?: Logger;
  /** Tests: the localtunnel client factory, the server check, the clock and the randomness. */
  openTunnel?: OpenTunnel;
  preflight?: Preflight;
  now?: () => number;
  random?: () => number;
}

/** The subdomain rules of the localtunnel server; anything else it refuses (and its client would retry forever). */
const SUBDOMAIN = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/;

export function validateSubdomain(subdomain: string): string | null {
  return SUBDOMAIN.test(subdomain)
    ? null
    : `"${subdomain}" is not a usable subdomain: 4-63 lowercase letters, digits or dashes (not first or last)`;
}

export const openLocaltunnel: OpenTunnel = ({ port, host, subdomain }, done) =>
  // No local_host, on purpose: see localForwarder.ts.
  localtunnel({ port, host, ...(subdomain ? { subdomain } : {}) }, (err) => done(err ? toError(err) : undefined)) as unknown as TunnelHandle;

/** Any HTTP answer from the server proves it is there; the path is localtunnel-server's status endpoint. */
export const httpPreflight: Preflight = async (host, timeoutMs) => {
  const res = await request(new URL('/api/status', host), {
    method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs), reset: true,
  });
  await res.body.dump().catch(() => {});
};

export class TunnelClient extends EventEmitter<{ state: [TunnelState] }> {
  private current: TunnelState = { status: 'off' };
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly openTunnel: OpenTunnel;
  private readonly preflight: Preflight;
  private host: string;
  private subdomain: string | undefined;
  /** Bumped by every new attempt and by stop(): callbacks of older attempts are ignored. */
  private generation = 0;
  /** Consecutive failures (a drop counts as one): the backoff grows with these. */
  private failures = 0;
  /** Attempts made since start() or since the tunnel was last online. */
  private attempts = 0;
  private wanted = false;
  private client: TunnelHandle | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private forwarder: LocalForwarder | undefined;
  private clientPort = 0;
  private detach: () => void = () => {};
  private starting: Promise<void> | undefined;

  constructor(private readonly options: TunnelClientOptions) {
    super();
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.openTunnel = options.openTunnel ?? openLocaltunnel;
    this.preflight = options.preflight ?? httpPreflight;
    this.host = options.host ?? DEFAULT_TUNNEL.host;
    this.subdomain = options.subdomain || undefined;
  }

  get state(): TunnelState {
    return this.current;
  }

  /** The tunnel server and subdomain the next attempt asks for. */
  get target(): { host: string; subdomain: string | null } {
    return { host: this.host, subdomain: this.subdomain ?? null };
  }

  /** Starts connecting (no-op while already on). Resolves once the first attempt is under way, not when online. */
  start(): Promise<void> {
    if (this.wanted) return this.starting ?? Promise.resolve();
    const problem = this.checkOptions();
    if (problem) {
      this.setState({ status: 'error', reason: problem });
      return Promise.resolve();
    }
    this.wanted = true;
    this.failures = 0;
    this.attempts = 0;
    const starting = this.begin(++this.generation).finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    this.starting = starting;
    return starting;
  }

  private async begin(gen: number): Promise<void> {
    if (this.needsForwarder()) {
      const forwarder = new LocalForwarder({ host: this.options.localHost!, port: this.options.localPort }, this.log);
      try {
        await forwarder.listen();
      } catch (err) {
        await forwarder.close();
        if (gen !== this.generation) return;
        this.wanted = false;
        return this.setState({ status: 'error', reason: `cannot start the loopback relay for the tunnel: ${message(err)}` });
      }
      if (gen !== this.generation) return void (await forwarder.close());
      this.forwarder = forwarder;
      this.clientPort = forwarder.port;
    } else {
      this.clientPort = this.options.localPort;
    }
    this.attempt();
  }

  /** Closes the tunnel and stops retrying. Idempotent. */
  async stop(): Promise<void> {
    const closing = this.shutdown();
    if (this.current.status !== 'off') this.setState({ status: 'off' });
    await closing;
  }

  /** Stops everything; resolves when the relay is closed. */
  private shutdown(): Promise<void> {
    this.wanted = false;
    this.generation++;
    this.clearTimers();
    this.closeClient();
    const forwarder = this.forwarder;
    this.forwarder = undefined;
    return forwarder ? forwarder.close() : Promise.resolve();
  }

  /**
   * Drops the current tunnel (if any) and tries again now, optionally with another
   * subdomain or server: "retry for the pinned subdomain", or after a failed reachability check.
   */
  async reconnect(change: { subdomain?: string | null; host?: string } = {}): Promise<void> {
    if (change.host !== undefined) this.host = change.host;
    if (change.subdomain !== undefined) this.subdomain = change.subdomain || undefined;
    if (!this.wanted) return this.start();
    if (this.starting) await this.starting;
    if (!this.wanted) return; // stopped meanwhile
    const problem = this.checkOptions();
    if (problem) {
      await this.shutdown();
      return this.setState({ status: 'error', reason: problem });
    }
    this.generation++;
    this.clearTimers();
    this.closeClient();
    this.failures = 0;
    this.attempts = 0;
    this.attempt();
  }

  private checkOptions(): string | null {
    try {
      const url = new URL(this.host);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `tunnel server ${this.host}: not an http(s) URL`;
    } catch {
      return `tunnel server "${this.host}" is not a URL`;
    }
    if (this.subdomain) return validateSubdomain(this.subdomain);
    return null;
  }

  private needsForwarder(): boolean {
    const h = this.options.localHost;
    return !!h && h !== 'localhost';
  }

  private attempt(): void {
    const gen = ++this.generation;
    this.attempts++;
    this.setState({ status: 'connecting', attempt: this.attempts });
    const timeoutMs = this.options.attemptTimeoutMs ?? DEFAULT_TUNNEL.attemptTimeoutMs;
    this.deadline = setTimeout(() => this.fail(gen, `no tunnel within ${seconds(timeoutMs)} (tunnel server ${this.host})`), timeoutMs);
    const preflightMs = Math.min(timeoutMs, this.options.preflightTimeoutMs ?? DEFAULT_TUNNEL.preflightTimeoutMs);
    this.preflight(this.host, preflightMs).then(
      () => this.open(gen),
      (err) => this.fail(gen, `tunnel server ${this.host} unreachable: ${message(err)}`),
    );
  }

  private open(gen: number): void {
    if (gen !== this.generation) return;
    let client: TunnelHandle;
    const registered = (err?: Error) => {
      if (err) this.fail(gen, `tunnel server refused: ${err.message}`);
    };
    try {
      client = this.openTunnel({ port: this.clientPort, host: this.host, subdomain: this.subdomain }, registered);
    } catch (err) {
      return this.fail(gen, message(err));
    }
    this.client = client;
    const onError = (err: unknown) => this.fail(gen, message(err));
    const onClose = () => this.fail(gen, 'the tunnel closed');
    const onUrl = (url: string) => {
      if (gen !== this.generation) return;
      clearTimeout(this.deadline);
      this.deadline = undefined;
      this.failures = 0;
      this.attempts = 0;
      this.log.info(`tunnel online: ${url} → port ${this.options.localPort}`);
      this.setState({ status: 'online', url, since: this.now() });
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.once('url', onUrl);
    this.detach = () => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('url', onUrl);
    };
  }

  /** An attempt failed or an online tunnel dropped: close it and retry after a backoff (or give up). */
  private fail(gen: number, reason: string): void {
    if (gen !== this.generation || !this.wanted) return;
    this.generation++;
    this.clearTimers();
    this.closeClient();
    const wasOnline = this.current.status === 'online';
    this.failures = wasOnline ? 1 : this.failures + 1;
    if (wasOnline) this.attempts = 0;
    const lastError = wasOnline ? `tunnel dropped: ${reason}` : reason;
    const max = this.options.maxAttempts ?? Infinity;
    if (!wasOnline && this.attempts >= max) {
      this.log.error(`tunnel: giving up after ${this.attempts} attempts: ${reason}`);
      void this.shutdown();
      return this.setState({ status: 'error', reason: `gave up after ${this.attempts} attempts: ${reason}` });
    }
    const delay = reconnectDelayMs(this.failures, this.options.reconnect, this.random);
    this.log.warn(`tunnel: ${lastError}; retrying in ${seconds(delay)}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted) this.attempt();
    }, delay);
    this.setState({ status: 'reconnecting', attempt: this.attempts + 1, lastError, retryAt: this.now() + delay });
  }

  private closeClient(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // Only our listeners go (the client's own 'close' listeners are what closes its sockets);
    // a late error of the closed client still needs a listener, or it would throw.
    this.detach();
    client.on('error', (err: unknown) => this.log.info(`tunnel: closed client: ${message(err)}`));
    try {
      client.close();
    } catch (err) {
      this.log.warn(`tunnel: closing the client: ${message(err)}`);
    }
  }

  private clearTimers(): void {
    clearTimeout(this.deadline);
    clearTimeout(this.retryTimer);
    this.deadline = undefined;
    this.retryTimer = undefined;
  }

  private setState(state: TunnelState): void {
    this.current = state;
    this.emit('state', state);
  }
}

/** Resolves with the first state that satisfies `pred` (the current one included); rejects after `timeoutMs`. */
export function waitForTunnelState<S extends TunnelState>(
  client: TunnelClient, pred: (s: TunnelState) => s is S, timeoutMs: number,
): Promise<S> {
  if (pred(client.state)) return Promise.resolve(client.state);
  return new Promise((resolve, reject) => {
    const onState = (s: TunnelState) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      client.off('state', onState);
      resolve(s);
    };
    const timer = setTimeout(() => {
      client.off('state', onState);
      reject(new Error(`tunnel state still ${JSON.stringify(client.state)} after ${seconds(timeoutMs)}`));
    }, timeoutMs);
    client.on('state', onState);
  });
}

export const isOnline = (s: TunnelState): s is Extract<TunnelState, { status: 'online' }> => s.status === 'online';

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function message(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message + cause;
  }
  return String(err);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
