// The benchmark's farm: N remote servers (RemoteServer), each on its own loopback address
// of a block (by default 127.0.1.1, 127.0.1.2, … 127.0.20.250: a distinct origin each),
// hosting F generated users (user j on host j mod N) with a shared inbox plus personal
// inboxes. Farm users follow Outpost through the real protocol (signed Follow → Outpost
// fetches the actor, verifies, auto-accepts, delivers an Accept), and every Create and
// Accept that arrives has its HTTP signature and Digest verified against the Outpost
// actor's key (fetched once), as a real server would. It counts what it sees (Track).
//
// All farm actors publish the same RSA public key (signing.ts: REMOTE_KEY); Outpost still
// fetches each actor document and verifies each Follow's signature.
import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import { Agent, request } from 'undici';
import { RemoteServer, blockAddress, personDocument, type InboxRequest } from './remoteServer';
import { REMOTE_KEY, signedPostHeaders, type KeyLookup } from './signing';

export type HostMode = 'normal' | 'refuse' | 'slow';

/** One farm host: a RemoteServer and its place in the farm. */
export interface FarmHost {
  index: number;
  server: RemoteServer;
  mode: HostMode;
  /** host:port, as Outpost names the host. */
  readonly host: string;
  readonly origin: string;
  readonly address: string;
  readonly port: number;
  /** TCP connections counted while refusing (countConnections). */
  readonly connectionsCounted: number;
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
  /** Creates checked, by the signature spec they came in (rfc9421, draft-cavage). */
  specs: Record<string, number>;
  errors: string[];
}

export interface OutpostIdentity {
  actor: string;
  keyId: string;
  sharedInbox: string;
  publicKey: KeyObject;
}

export interface FarmOptions {
  /** Number of hosts (servers). */
  hosts: number;
  /** Number of users, spread over the hosts (user j on host j mod hosts). */
  users: number;
  /** First address of the block the hosts listen on (default 127.0.1.1; see blockAddress). */
  firstAddress?: string;
  /**
   * Addresses in the block (default 5000: 127.0.1.1 … 127.0.20.250). With fewer addresses
   * than hosts, hosts share addresses and differ by port (origins are address:port).
   */
  addresses?: number;
  /**
   * Port of every host (default 0: one free port for all where it is free, else any).
   * With a fixed port, host i listens on port + ⌊i / addresses⌋.
   */
  port?: number;
}

export const FARM_DEFAULTS = { firstAddress: '127.0.1.1', addresses: 5000, port: 0 } as const;

const AS = 'https://www.w3.org/ns/activitystreams';

export class RemoteFarm extends EventEmitter {
  readonly hosts: FarmHost[] = [];
  readonly hostCount: number;
  readonly followerCount: number;
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
  private readonly o: Required<FarmOptions>;

  constructor(opts: FarmOptions) {
    super();
    this.setMaxListeners(100);
    this.o = {
      ...opts, firstAddress: opts.firstAddress ?? FARM_DEFAULTS.firstAddress,
      addresses: opts.addresses ?? FARM_DEFAULTS.addresses, port: opts.port ?? FARM_DEFAULTS.port,
    };
    if (this.o.addresses < 1) throw new Error('a farm needs at least one address');
    this.hostCount = opts.hosts;
    this.followerCount = opts.users;
  }

  /** User j lives on host j mod N. */
  userHost(j: number): number {
    return j % this.hostCount;
  }

  actorId(j: number): string {
    return `${this.hosts[this.userHost(j)]!.origin}/users/u${j}`;
  }

  async start(): Promise<void> {
    const { firstAddress, addresses, port } = this.o;
    const portOf = (i: number) => (port ? port + Math.floor(i / addresses) : shared);
    // Without a fixed port: the first host's (free) port for every host where it is free too.
    const first = this.host(0, blockAddress(firstAddress, 0), port);
    await first.server.start();
    const shared = first.server.port;
    for (let i = 1; i < this.hostCount; i += 250) {
      const batch: Promise<unknown>[] = [];
      for (let k = i; k < Math.min(this.hostCount, i + 250); k++) {
        const h = this.host(k, blockAddress(firstAddress, k % addresses), portOf(k));
        batch.push(h.server.start().catch(() => {
          if (port) throw new Error(`farm host ${k}: ${h.server.address}:${portOf(k)} is taken`);
          h.server.port = 0;
          return h.server.start();
        }));
      }
      await Promise.all(batch);
    }
  }

  private host(index: number, address: string, port: number): FarmHost {
    const verify: KeyLookup = async (keyId) => {
      const o = this.outpost;
      if (!o) throw new Error('farm: Outpost key unknown');
      if (keyId !== o.keyId) throw new Error(`signed by ${keyId}, expected ${o.keyId}`);
      return { owner: o.actor, publicKey: o.publicKey };
    };
    const server: RemoteServer = new RemoteServer({
      address, port, record: false, verify,
      site: { get: (path) => this.userDocument(h, path) },
      onArrival: (req) => this.arrived(h, req),
      onPost: (req) => this.checked(h, req),
      respond: () => ({ status: 202, delayMs: h.mode === 'slow' ? this.slowMs : this.latencyMs }),
    });
    const h: FarmHost = {
      index, server, mode: 'normal',
      get host() { return server.host; },
      get origin() { return server.origin; },
      get address() { return server.address; },
      get port() { return server.port; },
      get connectionsCounted() { return server.connectionsCounted; },
    };
    this.hosts[index] = h;
    return h;
  }

  setOutpost(o: OutpostIdentity): void {
    this.outpost = o;
  }

  /** Starts recording Creates; the caller sets t0 right before composing. */
  beginTrack(): Track {
    this.track = {
      t0: 0, requests: 0, verified: 0, invalid: 0, personal: 0, hostsReached: 0,
      perHost: new Uint16Array(this.hostCount), firstVerifiedAt: new Float64Array(this.hostCount).fill(NaN),
      lastVerifiedAt: 0, activityIds: new Set(), specs: {}, errors: [],
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

  private userDocument(h: FarmHost, path: string) {
    const m = /^\/users\/u(\d+)$/.exec(path);
    const j = m ? Number(m[1]) : -1;
    if (j < 0 || j >= this.followerCount || this.userHost(j) !== h.index) return undefined;
    const id = `${h.origin}/users/u${j}`;
    return { status: 200, body: personDocument({ id, username: `u${j}`, name: `Farm user ${j}`, publicKeyPem: REMOTE_KEY.publicKeyPem, sharedInbox: `${h.origin}/inbox` }) };
  }

  /** A Create counts as a request the moment it arrives. */
  private arrived(h: FarmHost, req: InboxRequest): void {
    const t = this.track;
    if (req.type !== 'Create' || !t) return;
    if (req.path !== '/inbox') t.personal++;
    t.requests++;
    t.perHost[h.index]!++;
    if (req.id) t.activityIds.add(req.id);
  }

  /** …and as verified (or not) once its signature was checked. */
  private checked(h: FarmHost, req: InboxRequest): void {
    const t = this.track;
    if (req.type === 'Create' && t) {
      if (req.signatureSpec) t.specs[req.signatureSpec] = (t.specs[req.signatureSpec] ?? 0) + 1;
      if (req.signatureValid) {
        const at = performance.now();
        t.verified++;
        if (Number.isNaN(t.firstVerifiedAt[h.index]!)) {
          t.firstVerifiedAt[h.index] = at;
          t.hostsReached++;
        }
        t.lastVerifiedAt = Math.max(t.lastVerifiedAt, at);
      } else {
        t.invalid++;
        if (t.errors.length < 5) t.errors.push(req.signatureError ?? 'signature does not verify');
      }
      this.emit('progress', h);
    } else if (req.type === 'Accept') {
      this.accepts++;
      if (!req.signatureValid) this.acceptsInvalid++;
    } else this.otherPosts++;
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
          const headers = await signedPostHeaders({ url: o.sharedInbox, body, keyId: `${actor}#main-key`, privateKey: REMOTE_KEY.privateKey });
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

  // ---- failure modes ----

  /** The host stops listening: connections are refused. */
  async refuse(h: FarmHost): Promise<void> {
    h.mode = 'refuse';
    await h.server.stop();
  }

  slow(h: FarmHost): void {
    h.mode = 'slow';
  }

  /** On a refusing host, binds a bare TCP listener that counts (and drops) every connection. */
  countConnections(h: FarmHost): Promise<void> {
    return h.server.countConnections();
  }

  stopCounting(h: FarmHost): Promise<void> {
    return h.server.stopCounting();
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.server.stop()));
  }
}
