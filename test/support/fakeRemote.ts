// A remote fediverse server for tests: a real HTTP server on its own loopback origin that
// serves an actor (from fixtures), signs what it sends, and verifies what it receives.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { generateKeyPairSync, type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkIncomingRequest, signRequest, verifyParsedSignature } from '../../src/main/core/federation/signatures/cavage';
import { DEFAULT_LIMITS } from '../../src/main/core/config';
import { freePort } from './outpost';

export type ServerKind = 'mastodon' | 'misskey' | 'gotosocial' | 'pleroma';
export const SERVER_KINDS: ServerKind[] = ['mastodon', 'misskey', 'gotosocial', 'pleroma'];

const FIXTURES = join(__dirname, '..', 'fixtures', 'inbox');

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  /** Whether the HTTP signature verified against the sender's published key. */
  signatureValid: boolean;
  signer: string | null;
}

export interface FakeRemoteOptions {
  host: string;
  kind: ServerKind;
  /** Values for the fixtures' placeholders (LOCAL_ACTOR, LOCAL_NOTE, …). */
  vars?: Record<string, string>;
  /** Status the inboxes answer with (default 202). */
  inboxStatus?: number;
}

const KEYS = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

export class FakeRemote {
  readonly received: ReceivedRequest[] = [];
  readonly fetched: string[] = [];
  origin = '';
  host = '';
  actor: any;
  readonly privateKey: KeyObject = createPrivateKey(KEYS.privateKey);
  readonly publicKeyPem = KEYS.publicKey;
  /** Extra documents served at a path (notes the remote owns, etc.). */
  readonly documents = new Map<string, unknown>();
  private server: Server | undefined;
  vars: Record<string, string> = {};
  /** When true the actor (and key) document answers 410 Gone, as for a deleted account. */
  gone = false;
  /** When true, `/redirect?to=URL` answers 302 to any URL (an open redirect, as many sites have). */
  openRedirect = false;

  constructor(readonly opts: FakeRemoteOptions) {}

  async start(): Promise<this> {
    const port = await freePort(this.opts.host);
    this.host = `${this.opts.host}:${port}`;
    this.origin = `http://${this.host}`;
    this.vars = { REMOTE: this.origin, REMOTE_HOST: this.host, ...this.opts.vars };
    this.actor = this.fixture('actor');
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        void this.serve(req, Buffer.concat(chunks)).then(({ status, body, type, location }) => {
          res.writeHead(status, { 'content-type': type ?? 'application/activity+json', ...(location ? { location } : {}) });
          res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, this.opts.host, () => r()));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  get actorId(): string {
    return this.actor.id;
  }
  get keyId(): string {
    return this.actor.publicKey.id;
  }
  get handle(): string {
    return `${this.actor.preferredUsername}@${this.host}`;
  }

  /** A fixture with placeholders replaced (vars may be extended per call). */
  fixture(name: string, extra: Record<string, string> = {}): any {
    const vars: Record<string, string> = { ...this.vars, ...extra, PUBLIC_KEY_PEM: this.publicKeyPem };
    const text = readFileSync(join(FIXTURES, this.opts.kind, `${name}.json`), 'utf8');
    const parsed = JSON.parse(text);
    const replace = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => vars[k] ?? m);
      if (Array.isArray(v)) return v.map(replace);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
      return v;
    };
    return replace(parsed);
  }

  /** POSTs an activity, signed with this remote's key (or as `opts` tampers with it). */
  async post(url: string, activity: unknown, opts: { sign?: boolean; now?: number; keyId?: string; key?: KeyObject; mutate?: (h: Record<string, string>, body: string) => { headers: Record<string, string>; body: string } } = {}): Promise<Response> {
    let body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    let headers: Record<string, string> = { 'content-type': 'application/activity+json' };
    if (opts.sign !== false) {
      headers = await signRequest({
        method: 'POST', url, body, keyId: opts.keyId ?? this.keyId, privateKey: opts.key ?? this.privateKey, now: opts.now,
      });
    }
    if (opts.mutate) ({ headers, body } = opts.mutate(headers, body));
    const { host: _host, ...sendable } = headers;
    void _host;
    return fetch(url, { method: 'POST', headers: sendable, body });
  }

  private async serve(req: IncomingMessage, body: Buffer): Promise<{ status: number; body?: unknown; type?: string; location?: string }> {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'POST') {
      const rec: ReceivedRequest = {
        method: 'POST', path: req.url ?? '/', headers: req.headers, body: body.toString('utf8'), json: safeJson(body), signatureValid: false, signer: null,
      };
      rec.signatureValid = await this.verify(req, body).then((s) => {
        rec.signer = s;
        return !!s;
      }, () => false);
      this.received.push(rec);
      return { status: this.opts.inboxStatus ?? 202 };
    }
    this.fetched.push(url.pathname + url.search);
    if (this.openRedirect && url.pathname === '/redirect') return { status: 302, location: url.searchParams.get('to') ?? '/' };
    if (url.pathname === '/.well-known/webfinger') {
      const resource = url.searchParams.get('resource');
      if (resource !== `acct:${this.handle}`) return { status: 404, body: { error: 'not found' } };
      return { status: 200, type: 'application/jrd+json', body: { subject: resource, links: [{ rel: 'self', type: 'application/activity+json', href: this.actorId }] } };
    }
    const href = `${this.origin}${url.pathname}`;
    if (href === this.actorId || href === this.keyId.split('#')[0]) return this.gone ? { status: 410, body: { error: 'gone' } } : { status: 200, body: this.actor };
    const doc = this.documents.get(url.pathname);
    if (doc) return { status: 200, body: doc };
    return { status: 404, body: { error: 'not found' } };
  }

  /** Verifies an incoming signature by fetching the signer's actor (as a real server would). */
  private async verify(req: IncomingMessage, body: Buffer): Promise<string | null> {
    const signable = { method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers };
    const parsed = checkIncomingRequest(signable, { body, window: DEFAULT_LIMITS });
    const actorUrl = parsed.keyId.split('#')[0]!;
    const res = await fetch(actorUrl, { headers: { accept: 'application/activity+json' } });
    const actor = (await res.json()) as any;
    if (actor.publicKey?.id !== parsed.keyId) return null;
    return (await verifyParsedSignature(parsed, signable, actor.publicKey.publicKeyPem)) ? actor.id : null;
  }
}

function safeJson(body: Buffer): any {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
