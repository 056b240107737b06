// Follower servers for delivery tests: small, purpose-built HTTP servers, each on its own
// loopback origin (127.0.2.x), that serve one actor, follow an Outpost the real way (a
// signed Follow), and answer its deliveries however a test scripts them — any status and
// headers, slowly, or never (the socket stays open). They can be stopped (connection
// refused) and restarted on the same port.
//
// Also here: an Outpost started in-process with a tuned DeliveryConfig (short retries,
// short timeouts), which startOutpost cannot take, and an SSE reader for /events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '../../src/main/core/federation/signatures/cavage';
import { Instance } from '../../src/main/core/instance';
import type { DeliveryOverrides, RetryOptions } from '../../src/main/core/config';
import { silentLogger, type Logger } from '../../src/main/core/logger';
import { closeServer, listen } from '../../src/main/core/http/httpUtil';
import { createAdminHandlers } from '../../src/main/admin/adminService';
import { createAdminServer } from '../../src/main/admin/httpTransport';
import type { AdminMethod, ParamsOf, ResultOf } from '../../src/shared/adminApi';
import { eventually, freePort, type TestOutpost } from './outpost';

// One key for every farm actor: RSA generation is slow, and nothing here tests key identity.
const KEYS = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const PRIVATE_KEY = createPrivateKey(KEYS.privateKey);

export interface InboxRequest {
  /** Date.now() when the whole body had arrived. */
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  json: any;
  type: string | undefined;
  /** The activity's id (for a Create: the note's URI + '/activity'). */
  id: string | undefined;
}

/** How to answer one POST: a status (after an optional delay), or never. */
export type InboxAnswer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * Decides the answer to a POST. `nth` counts this server's POSTs with the same activity
 * id (1 for the first), so "fail twice, then accept" is easy to script.
 */
export type Responder = (req: InboxRequest, nth: number) => InboxAnswer;

export const accept: Responder = () => ({ status: 202 });

export interface InboxServerOptions {
  /** Loopback address to listen on, e.g. 127.0.2.7. */
  ip: string;
  username?: string;
  /** Shared inbox to advertise: true for `${origin}/inbox`, a URL, or none (personal inbox only). */
  sharedInbox?: boolean | string;
  respond?: Responder;
}

export class InboxServer {
  readonly received: InboxRequest[] = [];
  respond: Responder;
  port = 0;
  origin = '';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Set<ServerResponse>();

  constructor(readonly opts: InboxServerOptions) {
    this.respond = opts.respond ?? accept;
  }

  get host(): string {
    return `${this.opts.ip}:${this.port}`;
  }
  get username(): string {
    return this.opts.username ?? 'ann';
  }
  get actorId(): string {
    return `${this.origin}/users/${this.username}`;
  }
  get inbox(): string {
    return `${this.actorId}/inbox`;
  }
  get sharedInbox(): string | undefined {
    const s = this.opts.sharedInbox;
    return s === true ? `${this.origin}/inbox` : typeof s === 'string' ? s : undefined;
  }
  /** The inbox Outpost delivers posts to (shared when advertised). */
  get deliveryInbox(): string {
    return this.sharedInbox ?? this.inbox;
  }
  get listening(): boolean {
    return !!this.server?.listening;
  }

  actorDocument(): Record<string, unknown> {
    return {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id: this.actorId,
      type: 'Person',
      preferredUsername: this.username,
      name: `${this.username} at ${this.opts.ip}`,
      inbox: this.inbox,
      outbox: `${this.actorId}/outbox`,
      followers: `${this.actorId}/followers`,
      following: `${this.actorId}/following`,
      manuallyApprovesFollowers: false,
      url: this.actorId,
      publicKey: { id: `${this.actorId}#main-key`, owner: this.actorId, publicKeyPem: KEYS.publicKey },
      ...(this.sharedInbox ? { endpoints: { sharedInbox: this.sharedInbox } } : {}),
    };
  }

  /** Listens (on a free port the first time, on the same port after a stop). */
  async start(): Promise<this> {
    if (this.server?.listening) return this;
    if (!this.port) this.port = await freePort(this.opts.ip);
    this.origin = `http://${this.host}`;
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      if (this.server !== server) return void s.destroy(); // accepted just as we stopped
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await listen(server, this.port, this.opts.ip);
    return this;
  }

  /** Stops listening and drops every open connection (hanging ones included): the port now refuses. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.pending.clear();
    await closed;
  }

  /** POSTs of one activity type (Create, Accept, …). */
  ofType(type: string): InboxRequest[] {
    return this.received.filter((r) => r.type === type);
  }

  /** The Creates of one of our notes (by its local id) this server received. */
  creates(noteId: string): InboxRequest[] {
    return this.received.filter((r) => r.type === 'Create' && typeof r.json?.object?.id === 'string' && r.json.object.id.endsWith(`/notes/${noteId}`));
  }

  /** Sends a signed Follow of `localActor` to `inboxUrl`; returns the HTTP status. */
  async follow(localActor: string, inboxUrl: string): Promise<number> {
    const follow = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${this.origin}/follows/${Date.now()}-${Math.random().toString(36).slice(2)}`,
      type: 'Follow', actor: this.actorId, object: localActor,
    };
    const body = JSON.stringify(follow);
    const { host: _host, ...headers } = await signRequest({ method: 'POST', url: inboxUrl, body, keyId: `${this.actorId}#main-key`, privateKey: PRIVATE_KEY });
    void _host;
    const res = await fetch(inboxUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (req.method === 'GET') {
        if (path.split('?')[0] === `/users/${this.username}`) {
          res.writeHead(200, { 'content-type': 'application/activity+json' });
          res.end(JSON.stringify(this.actorDocument()));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"not found"}');
        }
        return;
      }
      let json: any;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        json = undefined;
      }
      const rec: InboxRequest = {
        at: Date.now(), path, headers: req.headers, json,
        type: typeof json?.type === 'string' ? json.type : undefined, id: typeof json?.id === 'string' ? json.id : undefined,
      };
      this.received.push(rec);
      const nth = this.received.filter((r) => r.id === rec.id).length;
      const answer = this.respond(rec, nth);
      if (answer === 'hang') {
        this.pending.add(res); // never answered; the socket is dropped on stop()
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.status >= 400 ? '{"error":"scripted"}' : '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  }
}

/** Starts `n` servers on 127.0.2.(firstOctet … firstOctet+n−1). */
export async function startFarm(firstOctet: number, n: number, opts: Omit<InboxServerOptions, 'ip'> = {}): Promise<InboxServer[]> {
  const servers = Array.from({ length: n }, (_, i) => new InboxServer({ ...opts, ip: `127.0.2.${firstOctet + i}` }));
  await Promise.all(servers.map((s) => s.start()));
  return servers;
}

/** The admin API of an Outpost, over its HTTP transport. */
export interface AdminClient {
  rpc<M extends AdminMethod>(method: M, params?: ParamsOf<M>): Promise<ResultOf<M>>;
  rpcRaw(method: string, params?: unknown): Promise<{ status: number; body: any }>;
}

export function adminClient(adminUrl: string, token: string): AdminClient {
  const rpcRaw = async (method: string, params: unknown = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${adminUrl}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    rpcRaw,
    async rpc(method, params) {
      const { status, body } = await rpcRaw(method, params ?? {});
      if (status !== 200) throw new Error(`${method} → ${status} ${JSON.stringify(body)}`);
      return body as ResultOf<typeof method>;
    },
  };
}

/**
 * Has every server follow the Outpost (a signed Follow to its shared inbox) and waits
 * until all are accepted followers and each Accept was delivered.
 */
export async function followAll(o: AdminClient & { actor: string; publicUrl: string }, servers: InboxServer[], timeoutMs = 15_000): Promise<void> {
  const statuses = await Promise.all(servers.map((s) => s.follow(o.actor, `${o.publicUrl}/inbox`)));
  const bad = statuses.filter((s) => s !== 202);
  if (bad.length > 0) throw new Error(`Follow answered ${bad.join(', ')}`);
  const uris = new Set(servers.map((s) => s.actorId));
  await eventually(async () => (await o.rpc('followers')).filter((f) => f.state === 'accepted' && uris.has(f.actor.uri)).length === uris.size,
    timeoutMs, `${uris.size} accepted followers`);
}

/** Delivery config for tests: retries within tens of milliseconds, no jitter. */
export const FAST_RETRY: Partial<RetryOptions> = { initialDelayMs: 50, factor: 2, maxDelayMs: 200, maxElapsedMs: 5000, jitter: 0 };

export interface TunedOutpost extends TestOutpost {
  instance: Instance;
  /** The public port (reuse it to restart on the same origin). */
  port: number;
  adminUrl: string;
  token: string;
}

/**
 * A real Outpost (Instance + admin HTTP transport, as headless wires them) with its own
 * delivery config: startHeadless cannot take one.
 */
export async function startTunedOutpost(opts: {
  ip: string; username: string; delivery?: DeliveryOverrides; connectivityProbe?: (origin: string) => Promise<boolean>;
  /** Reuse a data folder and port (a restart); the folder is then left in place on stop. */
  dataDir?: string; port?: number;
  /** The instance's logger (default: silent). */
  log?: Logger;
}): Promise<TunedOutpost> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'outpost-delivery-'));
  const port = opts.port ?? await freePort(opts.ip);
  const instance = new Instance({
    dataDir, publicUrl: `http://${opts.ip}:${port}`, port, username: opts.username, allowPrivateNetwork: true,
    // Tests re-check connectivity every 500 ms while offline.
    delivery: { ...opts.delivery, retry: { ...FAST_RETRY, ...opts.delivery?.retry }, connectivity: { recheckMs: 500, ...opts.delivery?.connectivity } },
    connectivityProbe: opts.connectivityProbe, log: opts.log ?? silentLogger,
  });
  await instance.start();
  const token = `test-token-${Math.random().toString(36).slice(2)}`;
  let adminUrl = '';
  const handlers = createAdminHandlers(instance, { get adminUrl() { return adminUrl; }, dataDir });
  const server = createAdminServer({ handlers, events: instance.events, token, log: silentLogger, metrics: () => instance.metrics.exposition() });
  adminUrl = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  const client = adminClient(adminUrl, token);
  const stop = async () => {
    await closeServer(server);
    await instance.stop();
  };
  return {
    ...client,
    instance, adminUrl, token, dataDir, port,
    running: { instance, adminUrl, token, stop },
    publicUrl: instance.publicUrl, actor: instance.identity.actor, handle: instance.identity.handle,
    async stop() {
      await stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Opens GET /events and collects events until `until` holds or `timeoutMs` passes
 * (bounded either way). Call `ready` before triggering what should emit events.
 */
export function readEvents(adminUrl: string, token: string, until: (events: SseEvent[]) => boolean, timeoutMs = 5000): { ready: Promise<void>; done: Promise<{ status: number; events: SseEvent[] }> } {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const done = (async () => {
    const events: SseEvent[] = [];
    let status = 0;
    try {
      const res = await fetch(`${adminUrl}/events`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
      status = res.status;
      markReady();
      if (!res.body) return { status, events };
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      while (!until(events)) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += decoder.decode(value, { stream: true });
        let idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch (err) {
      if (!ctrl.signal.aborted) throw err;
    } finally {
      markReady();
      clearTimeout(timer);
      ctrl.abort();
    }
    return { status, events };
  })();
  return { ready, done };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
