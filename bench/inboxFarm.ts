// The loopback inbox farm: N remote servers, each an HTTP server on its own loopback
// address (127.0.1.1, 127.0.1.2, … 127.0.20.250: a distinct origin each), serving actor
// documents and a shared inbox plus per-user inboxes. Farm users follow Outpost through the
// real protocol (signed Follow → Outpost fetches the actor, verifies, auto-accepts, delivers
// an Accept), and every Create that arrives has its HTTP signature and Digest verified
// against the Outpost actor's key (fetched once), as a real server would.
//
// All farm actors publish the same RSA public key (generating 10 000 keys would take minutes);
// Outpost still fetches each actor document and verifies each Follow's signature.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Agent, request } from 'undici';
import { checkIncomingRequest, signRequest, verifyParsedSignature } from '../src/main/core/federation/signatures/cavage';
import { DEFAULT_LIMITS } from '../src/main/core/config';

export type HostMode = 'normal' | 'refuse' | 'slow';

export interface FarmHost {
  index: number;
  address: string;
  port: number;
  origin: string;
  /** host:port, as Outpost names the host. */
  host: string;
  mode: HostMode;
  server: Server | null;
  /** A bare TCP listener that only counts connections (bound on a refusing host to prove nothing is sent). */
  counter: NetServer | null;
  connectionsCounted: number;
}

/** What the farm saw of one Create fan-out. */
export interface Track {
  /** performance.now() of the compose call (set by the caller). */
  t0: number;
  /** Create requests received on shared inboxes, verified or not. */
  requests: number;
  verified: number;
  invalid: number;
  /** Creates that came to a personal inbox although the actor has a shared inbox. */
  personal: number;
  /** Distinct hosts with a verified Create. */
  hostsReached: number;
  /** Per host: Create requests received. */
  perHost: Uint16Array;
  /** Per host: when the first verified Create finished verifying (performance.now), NaN if none. */
  firstVerifiedAt: Float64Array;
  lastVerifiedAt: number;
  activityIds: Set<string>;
  errors: string[];
}

export interface OutpostIdentity {
  actor: string;
  keyId: string;
  sharedInbox: string;
  publicKey: KeyObject;
}

const AS = 'https://www.w3.org/ns/activitystreams';
const KEYS = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** The loopback address of host i: 127.0.1.1 … 127.0.1.250, 127.0.2.1 … */
export function hostAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export class InboxFarm extends EventEmitter {
  readonly hosts: FarmHost[] = [];
  readonly byHost = new Map<string, FarmHost>();
  /** Accepts (of the setup Follows) received, and how many of them failed signature/Digest verification. */
  accepts = 0;
  acceptsInvalid = 0;
  otherPosts = 0;
  track: Track | null = null;
  /** Deliveries answered late on 'slow' hosts. */
  slowMs = 15_000;
  /** Every POST on a normal host is answered after this long: a stand-in for network round trips. */
  latencyMs = 0;
  private outpost: OutpostIdentity | null = null;
  private readonly slowTimers = new Set<NodeJS.Timeout>();
  private readonly publicKeyPem = KEYS.publicKey;
  private readonly privateKey = KEYS.privateKey;

  constructor(readonly hostCount: number, readonly followerCount: number) {
    super();
    this.setMaxListeners(100);
  }

  /** User j lives on host j mod N. */
  userHost(j: number): number {
    return j % this.hostCount;
  }

  actorId(j: number): string {
    return `${this.hosts[this.userHost(j)]!.origin}/users/u${j}`;
  }

  async start(): Promise<void> {
    // One port for every host when it is free everywhere (origins differ by address anyway).
    const first = await this.bind(0, 0);
    const port = first.port;
    for (let i = 1; i < this.hostCount; i += 250) {
      const batch: Promise<FarmHost>[] = [];
      for (let k = i; k < Math.min(this.hostCount, i + 250); k++) batch.push(this.bind(k, port).catch(() => this.bind(k, 0)));
      await Promise.all(batch);
    }
    this.hosts.sort((a, b) => a.index - b.index);
  }

  private bind(index: number, port: number): Promise<FarmHost> {
    const address = hostAddress(index);
    const server = createServer((req, res) => this.serve(h, req, res));
    server.keepAliveTimeout = 5_000;
    const h: FarmHost = { index, address, port, origin: '', host: '', mode: 'normal', server, counter: null, connectionsCounted: 0 };
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        const addr = server.address();
        h.port = typeof addr === 'object' && addr ? addr.port : port;
        h.host = `${address}:${h.port}`;
        h.origin = `http://${h.host}`;
        this.hosts.push(h);
        this.byHost.set(h.host, h);
        resolve(h);
      });
    });
  }

  setOutpost(o: OutpostIdentity): void {
    this.outpost = o;
  }

  /** Starts recording Creates; the caller sets t0 right before composing. */
  beginTrack(): Track {
    this.track = {
      t0: 0, requests: 0, verified: 0, invalid: 0, personal: 0, hostsReached: 0,
      perHost: new Uint16Array(this.hostCount), firstVerifiedAt: new Float64Array(this.hostCount).fill(NaN),
      lastVerifiedAt: 0, activityIds: new Set(), errors: [],
    };
    return this.track;
  }

  /** Resolves when `done()` holds (checked on every recorded Create), or rejects after timeoutMs. */
  waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 100);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('progress', check);
      };
      this.on('progress', check);
    });
  }

  // ---- serving ----

  private serve(h: FarmHost, req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET') return this.serveGet(h, req, res);
    if (req.method !== 'POST') return send(res, 405, '');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => void this.onPost(h, req, Buffer.concat(chunks), res));
  }

  private serveGet(h: FarmHost, req: IncomingMessage, res: ServerResponse): void {
    const m = /^\/users\/u(\d+)$/.exec((req.url ?? '').split('?')[0]!);
    const j = m ? Number(m[1]) : -1;
    if (j < 0 || j >= this.followerCount || this.userHost(j) !== h.index) return send(res, 404, '{"error":"not found"}');
    const id = `${h.origin}/users/u${j}`;
    send(res, 200, JSON.stringify({
      '@context': [AS, 'https://w3id.org/security/v1'],
      id, type: 'Person', preferredUsername: `u${j}`, name: `Farm user ${j}`, url: id,
      inbox: `${id}/inbox`, outbox: `${id}/outbox`, followers: `${id}/followers`, following: `${id}/following`,
      endpoints: { sharedInbox: `${h.origin}/inbox` },
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: this.publicKeyPem },
    }), 'application/activity+json');
  }

  private async onPost(h: FarmHost, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    let activity: { type?: unknown; id?: unknown } | undefined;
    try {
      activity = JSON.parse(body.toString('utf8'));
    } catch {
      activity = undefined;
    }
    const type = activity?.type;
    const t = this.track;
    if (type === 'Create' && t) {
      if (path !== '/inbox') t.personal++;
      t.requests++;
      t.perHost[h.index]!++;
      if (typeof activity?.id === 'string') t.activityIds.add(activity.id);
      let ok = false;
      try {
        ok = await this.verify(req, body);
        if (!ok) this.noteError(t, 'signature does not verify');
      } catch (err) {
        this.noteError(t, String(err));
      }
      if (ok) {
        const at = performance.now();
        t.verified++;
        if (Number.isNaN(t.firstVerifiedAt[h.index]!)) {
          t.firstVerifiedAt[h.index] = at;
          t.hostsReached++;
        }
        t.lastVerifiedAt = Math.max(t.lastVerifiedAt, at);
      } else t.invalid++;
      this.emit('progress', h);
    } else if (type === 'Accept') {
      this.accepts++;
      if (!(await this.verify(req, body).catch(() => false))) this.acceptsInvalid++;
    } else this.otherPosts++;

    const delay = h.mode === 'slow' ? this.slowMs : this.latencyMs;
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.slowTimers.delete(timer);
        send(res, 202, '');
      }, delay);
      this.slowTimers.add(timer);
    } else send(res, 202, '');
  }

  private noteError(t: Track, e: string): void {
    if (t.errors.length < 5) t.errors.push(e);
  }

  /** Signature (draft-cavage, key = the Outpost actor's) and Digest of an incoming POST. */
  private async verify(req: IncomingMessage, body: Buffer): Promise<boolean> {
    const o = this.outpost;
    if (!o) throw new Error('farm: Outpost key unknown');
    const signable = { method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers };
    const parsed = checkIncomingRequest(signable, { body, window: DEFAULT_LIMITS }); // Date window, covered headers, Digest = body
    if (parsed.keyId !== o.keyId) throw new Error(`signed by ${parsed.keyId}, expected ${o.keyId}`);
    return verifyParsedSignature(parsed, signable, o.publicKey);
  }

  // ---- following ----

  /**
   * Every farm user POSTs a signed Follow to Outpost's shared inbox, `concurrency` at a time
   * (each retried up to 3 times). Returns how many were answered 2xx.
   */
  async followAll(concurrency = 50, timeoutMs = 300_000): Promise<{ ok: number; failed: number; lastError: string | null }> {
    const o = this.outpost;
    if (!o) throw new Error('farm: call setOutpost first');
    const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
    const deadline = Date.now() + timeoutMs;
    const run = Date.now().toString(36);
    let next = 0;
    let ok = 0;
    let failed = 0;
    let lastError: string | null = null;
    const one = async (j: number) => {
      const actor = this.actorId(j);
      const body = JSON.stringify({ '@context': AS, id: `${actor}/follows/${run}`, type: 'Follow', actor, object: o.actor });
      for (let attempt = 1; attempt <= 3 && Date.now() < deadline; attempt++) {
        try {
          const headers = await signRequest({ method: 'POST', url: o.sharedInbox, body, keyId: `${actor}#main-key`, privateKey: this.keyObject() });
          const res = await request(o.sharedInbox, { method: 'POST', headers, body, dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000 });
          const text = await res.body.text();
          if (res.statusCode >= 200 && res.statusCode < 300) return true;
          lastError = `${res.statusCode} ${text.slice(0, 200)}`;
        } catch (err) {
          lastError = String(err);
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
      return false;
    };
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < this.followerCount && Date.now() < deadline) {
        const j = next++;
        if (await one(j)) ok++;
        else failed++;
      }
    });
    await Promise.all(workers);
    await agent.close();
    return { ok, failed, lastError };
  }

  private key: KeyObject | undefined;
  private keyObject(): KeyObject {
    return (this.key ??= createPrivateKey(this.privateKey));
  }

  // ---- failure modes ----

  /** The host stops listening: connections are refused. */
  async refuse(h: FarmHost): Promise<void> {
    h.mode = 'refuse';
    const s = h.server;
    h.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  slow(h: FarmHost): void {
    h.mode = 'slow';
  }

  /** On a refusing host, binds a bare TCP listener that counts (and drops) every connection. */
  async countConnections(h: FarmHost): Promise<void> {
    const counter = createNetServer((socket: Socket) => {
      h.connectionsCounted++;
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      counter.once('error', reject);
      counter.listen(h.port, h.address, () => resolve());
    });
    h.counter = counter;
  }

  async stopCounting(h: FarmHost): Promise<void> {
    const c = h.counter;
    h.counter = null;
    if (c) await new Promise<void>((r) => c.close(() => r()));
  }

  async stop(): Promise<void> {
    for (const t of this.slowTimers) clearTimeout(t);
    this.slowTimers.clear();
    await Promise.all(this.hosts.map(async (h) => {
      await this.stopCounting(h);
      const s = h.server;
      h.server = null;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    }));
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
