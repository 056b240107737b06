// A remote fediverse server on loopback, for tests and the benchmark: a real HTTP server on
// its own address (127.x.y.z:port is an origin of its own) that serves the documents of the
// actors it hosts (and WebFinger for them), takes POSTs on any inbox path (shared or
// personal), can check their signatures and Digests, and answers as scripted: any status
// and headers, after a delay, or never. It can stop (connections are then refused), start
// again on the same port, and count the TCP connections made to it while stopped.
//
// What it hosts is a `RemoteSite` (fixture actors: fakeRemote.ts; generated users:
// personDocument below); what it does with what it receives is up to its owner
// (`received`, the hooks, the counters).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { listen } from '../../../src/main/core/http/httpUtil';
import { verifyIncoming, type KeyLookup } from './signing';
import type { SignatureSpecName } from '../../../src/shared/federation';

/** One POST as the server received it. */
export interface InboxRequest {
  /** Date.now() when the whole body had arrived. */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  type: string | undefined;
  /** The activity's id (for a Create from Outpost: the note's URI + '/activity'). */
  id: string | undefined;
  /** Whether the signature and Digest verified (false when the server does not check). */
  signatureValid: boolean;
  /** Who signed it, when it verified. */
  signer: string | null;
  /** Why it did not verify. */
  signatureError?: string;
  /** The spec it was signed with. */
  signatureSpec?: string;
}

/** How to answer one POST: a status (after an optional delay), or never. */
export type InboxAnswer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * Decides the answer to a POST. `nth` counts this server's POSTs with the same activity
 * id (1 for the first), so "fail twice, then accept" is easy to script.
 */
export type Responder = (req: InboxRequest, nth: number) => InboxAnswer;

export const accept: Responder = () => ({ status: 202 });

/** What a GET is answered with. */
export interface Document {
  status: number;
  /** JSON (serialized), a string, or raw bytes (media). */
  body?: unknown;
  /** Writes the whole answer itself (a body that drips, lies about its length, or never ends). */
  serve?: (res: ServerResponse) => void;
  type?: string;
  /** A redirect's target (with a 3xx status). */
  location?: string;
  /** Answer only once this settles (a server that is slow for one document). */
  after?: Promise<unknown>;
}

/** The actors and documents a server hosts. */
export interface RemoteSite {
  /** The answer for a GET of `path` (its query apart), or undefined for 404. */
  get(path: string, query: URLSearchParams): Document | undefined;
  /** The actor id for `acct:user@host` (WebFinger), if this server hosts one. */
  actorFor?(username: string): string | undefined;
}

export interface RemoteServerOptions {
  /** Loopback address to listen on, e.g. 127.0.2.7. */
  address: string;
  /** Port; 0 (default) lets the OS pick one the first time. Kept across stop/start. */
  port?: number;
  site: RemoteSite;
  respond?: Responder;
  /** Checks every POST's signature with this key lookup (default: no check). */
  verify?: KeyLookup;
  /** The signature specs this server understands (default both); with `verify`, a POST in another spec does not verify. */
  acceptsSpecs?: readonly SignatureSpecName[];
  /** With `verify`: answer 401 to a POST whose signature does not verify (and signed GETs are checked too), as a real server. */
  refuseUnverified?: boolean;
  /** Keep every POST in `received` and every GET in `fetched` (default true; the farm only counts). */
  record?: boolean;
  /** Called as a POST's body has arrived, before any check. */
  onArrival?: (req: InboxRequest) => void;
  /** Called once a POST was checked (and recorded), before it is answered. */
  onPost?: (req: InboxRequest) => void;
  /** Largest body taken (default 1 MiB); bigger uploads are cut off. */
  maxBodyBytes?: number;
}

export class RemoteServer {
  readonly received: InboxRequest[] = [];
  /** Paths (with query) of the GETs this server answered. */
  readonly fetched: string[] = [];
  /** With refuseUnverified: each GET's signature spec, or "refused <spec>" (the GET was answered 401). */
  readonly getSpecs: string[] = [];
  respond: Responder;
  port: number;
  origin = '';
  /** Connections counted by countConnections() while the server was stopped. */
  connectionsCounted = 0;
  private server: Server | undefined;
  private counter: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly seen = new Map<string, number>();

  constructor(readonly opts: RemoteServerOptions) {
    this.respond = opts.respond ?? accept;
    this.port = opts.port ?? 0;
  }

  get address(): string {
    return this.opts.address;
  }
  /** host:port, as Outpost names the host. */
  get host(): string {
    return `${this.opts.address}:${this.port}`;
  }
  get listening(): boolean {
    return !!this.server?.listening;
  }

  /** Listens (on the configured or a free port the first time, on the same port after a stop). */
  async start(): Promise<this> {
    if (this.server?.listening) return this;
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (s) => {
      if (this.server !== server) return void s.destroy(); // accepted just as we stopped
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    try {
      this.port = await listen(server, this.port, this.opts.address);
    } catch (err) {
      this.server = undefined;
      throw err;
    }
    this.origin = `http://${this.host}`;
    return this;
  }

  /** Stops listening and drops every open connection (hanging ones included): the port now refuses. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.stopCounting();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** While stopped: a bare TCP listener on the same address and port counts (and drops) every connection. */
  async countConnections(): Promise<void> {
    const counter = createNetServer((socket) => {
      this.connectionsCounted++;
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      counter.once('error', reject);
      counter.listen(this.port, this.opts.address, () => resolve());
    });
    this.counter = counter;
  }

  async stopCounting(): Promise<void> {
    const c = this.counter;
    this.counter = undefined;
    if (c) await new Promise<void>((r) => c.close(() => r()));
  }

  /** POSTs of one activity type (Create, Accept, …). */
  ofType(type: string): InboxRequest[] {
    return this.received.filter((r) => r.type === type);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && this.opts.refuseUnverified && this.opts.verify) {
      void verifyIncoming(req, undefined, this.opts.verify, this.opts.acceptsSpecs).then((v) => {
        if (this.opts.record !== false) this.getSpecs.push(v.ok ? v.spec : `refused ${v.spec}`);
        return v.ok ? this.serveGet(req, res) : send(res, 401, '{"error":"signature"}');
      });
      return;
    }
    if (req.method === 'GET') return this.serveGet(req, res);
    if (req.method !== 'POST') return send(res, 405, '');
    const chunks: Buffer[] = [];
    let size = 0;
    const max = this.opts.maxBodyBytes ?? 1024 * 1024;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => void this.onPost(req, Buffer.concat(chunks), res));
  }

  private serveGet(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://remote');
    if (this.opts.record !== false) this.fetched.push(url.pathname + url.search);
    const doc = url.pathname === '/.well-known/webfinger' ? this.webfinger(url.searchParams.get('resource')) : this.opts.site.get(url.pathname, url.searchParams);
    if (!doc) return send(res, 404, '{"error":"not found"}');
    if (doc.serve) return doc.serve(res);
    const body = doc.body === undefined ? '' : typeof doc.body === 'string' || Buffer.isBuffer(doc.body) ? doc.body : JSON.stringify(doc.body);
    const answer = () => send(res, doc.status, body, doc.type ?? 'application/activity+json', doc.location ? { location: doc.location } : {});
    if (doc.after) void doc.after.then(answer, answer);
    else answer();
  }

  private webfinger(resource: string | null): Document | undefined {
    const m = /^acct:([^@]+)@(.+)$/.exec(resource ?? '');
    const actor = m && m[2] === this.host ? this.opts.site.actorFor?.(m[1]!) : undefined;
    if (!actor) return undefined;
    return { status: 200, type: 'application/jrd+json', body: { subject: resource, links: [{ rel: 'self', type: 'application/activity+json', href: actor }] } };
  }

  private async onPost(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const text = body.toString('utf8');
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const rec: InboxRequest = {
      at: Date.now(), path: req.url ?? '/', headers: req.headers, body: text, json,
      type: typeof json?.type === 'string' ? json.type : undefined, id: typeof json?.id === 'string' ? json.id : undefined,
      signatureValid: false, signer: null,
    };
    this.opts.onArrival?.(rec);
    if (this.opts.verify) {
      const v = await verifyIncoming(req, body, this.opts.verify, this.opts.acceptsSpecs);
      rec.signatureValid = v.ok;
      rec.signer = v.signer;
      rec.signatureSpec = v.spec;
      if (v.error) rec.signatureError = v.error;
    }
    if (this.opts.refuseUnverified && !rec.signatureValid) {
      if (this.opts.record !== false) this.received.push(rec);
      return send(res, 401, '{"error":"signature"}');
    }
    if (this.opts.record !== false) this.received.push(rec);
    const nth = (this.seen.get(rec.id ?? '') ?? 0) + 1;
    this.seen.set(rec.id ?? '', nth);
    this.opts.onPost?.(rec);
    const answer = this.respond(rec, nth);
    if (answer === 'hang') return; // never answered; the socket is dropped on stop()
    const reply = () => {
      if (!res.destroyed) send(res, answer.status, answer.status >= 400 ? '{"error":"scripted"}' : '', 'application/json', answer.headers);
    };
    if (!answer.delayMs) return reply();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      reply();
    }, answer.delayMs);
    this.timers.add(timer);
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The actor document of a generated user (farm and follower servers): a Person with inbox, key, and maybe a shared inbox. */
export function personDocument(p: { id: string; username: string; name: string; publicKeyPem: string; sharedInbox?: string }): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id: p.id, type: 'Person', preferredUsername: p.username, name: p.name, url: p.id,
    inbox: `${p.id}/inbox`, outbox: `${p.id}/outbox`, followers: `${p.id}/followers`, following: `${p.id}/following`,
    manuallyApprovesFollowers: false,
    publicKey: { id: `${p.id}#main-key`, owner: p.id, publicKeyPem: p.publicKeyPem },
    ...(p.sharedInbox ? { endpoints: { sharedInbox: p.sharedInbox } } : {}),
  };
}

/**
 * The i-th address of a loopback block starting at `first`: the last octet runs 1 … 250,
 * then the third octet goes up (127.0.1.1 … 127.0.1.250, 127.0.2.1 …).
 */
export function blockAddress(first: string, i: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(first);
  if (!m) throw new Error(`not an IPv4 address: ${first}`);
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  if (d < 1 || d > 250) throw new Error(`the block's first address must end in 1 … 250: ${first}`);
  const pos = d - 1 + i;
  const third = c + Math.floor(pos / 250);
  if (third > 255) throw new Error(`address ${i} of a block from ${first} is past ${a}.${b}.255.250`);
  return `${a}.${b}.${third}.${1 + (pos % 250)}`;
}
