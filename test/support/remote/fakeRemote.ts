// A remote server of a given kind (Mastodon, Misskey, GoToSocial, Pleroma) for integration
// tests: a RemoteServer hosting the kind's fixture actor (test/fixtures/inbox), sending
// the kind's fixture activities signed with that actor's key, and verifying what it
// receives by fetching the signer's actor, as a real server would.
import type { KeyObject } from 'node:crypto';
import { RemoteServer, type Document, type InboxRequest } from './remoteServer';
import { REMOTE_KEY, signedPostHeaders } from './signing';
import { loadFixture, type MediaServerKind } from './fixtures';

export { MEDIA_SERVER_KINDS, SERVER_KINDS, type MediaServerKind, type ServerKind } from './fixtures';

export type ReceivedRequest = InboxRequest;

const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export interface FakeRemoteOptions {
  /** Loopback address to listen on. */
  host: string;
  kind: MediaServerKind;
  /** Values for the fixtures' placeholders (LOCAL_ACTOR, LOCAL_NOTE, …). */
  vars?: Record<string, string>;
  /** Status the inboxes answer with (default 202); may be changed while running. */
  inboxStatus?: number;
}

export class FakeRemote {
  origin = '';
  host = '';
  actor: any;
  readonly privateKey: KeyObject = REMOTE_KEY.privateKey;
  readonly publicKeyPem = REMOTE_KEY.publicKeyPem;
  /** Extra documents served at a path (notes the remote owns, etc.). */
  readonly documents = new Map<string, unknown>();
  /** Media files (pictures, video, emoji) and other raw answers, by path: bytes, redirects, or a scripted writer. */
  readonly files = new Map<string, Document>();
  /** Documents answered only once their promise settles (a fetch that crawls). */
  readonly slowDocuments = new Map<string, { body: unknown; after: Promise<unknown> }>();
  vars: Record<string, string> = {};
  /** When true the actor (and key) document answers 410 Gone, as for a deleted account. */
  gone = false;
  /** When true, `/redirect?to=URL` answers 302 to any URL (an open redirect, as many sites have). */
  openRedirect = false;
  private readonly server: RemoteServer;

  constructor(readonly opts: FakeRemoteOptions) {
    this.server = new RemoteServer({
      address: opts.host,
      site: { get: (path, query) => this.document(path, query), actorFor: (name) => (name === this.actor?.preferredUsername ? this.actorId : undefined) },
      respond: () => ({ status: this.opts.inboxStatus ?? 202 }),
      verify: async (keyId) => {
        const res = await fetch(keyId.split('#')[0]!, { headers: { accept: 'application/activity+json' } });
        const actor = (await res.json()) as any;
        return actor.publicKey?.id === keyId ? { owner: actor.id, publicKey: actor.publicKey.publicKeyPem } : null;
      },
    });
  }

  /** POSTs received, signature checked (`signatureValid`, `signer`). */
  get received(): InboxRequest[] {
    return this.server.received;
  }
  /** Paths (with query) fetched from this server. */
  get fetched(): string[] {
    return this.server.fetched;
  }

  async start(): Promise<this> {
    await this.server.start();
    this.host = this.server.host;
    this.origin = this.server.origin;
    this.vars = { REMOTE: this.origin, REMOTE_HOST: this.host, ...this.opts.vars };
    this.actor = this.fixture('actor');
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
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
    return loadFixture(this.opts.kind, name, { ...this.vars, ...extra, PUBLIC_KEY_PEM: this.publicKeyPem });
  }

  /** POSTs an activity, signed with this remote's key (or as `opts` tampers with it). */
  async post(url: string, activity: unknown, opts: { sign?: boolean; now?: number; keyId?: string; key?: KeyObject; mutate?: (h: Record<string, string>, body: string) => { headers: Record<string, string>; body: string } } = {}): Promise<Response> {
    let body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    let headers: Record<string, string> = { 'content-type': 'application/activity+json' };
    if (opts.sign !== false) {
      headers = await signedPostHeaders({ url, body, keyId: opts.keyId ?? this.keyId, privateKey: opts.key ?? this.privateKey, now: opts.now });
    }
    if (opts.mutate) ({ headers, body } = opts.mutate(headers, body));
    return fetch(url, { method: 'POST', headers, body });
  }

  private document(path: string, query: URLSearchParams): Document | undefined {
    if (this.openRedirect && path === '/redirect') return { status: 302, location: query.get('to') ?? '/' };
    if (path === new URL(this.actorId).pathname || path === new URL(this.keyId).pathname) {
      return this.gone ? { status: 410, body: { error: 'gone' } } : { status: 200, body: this.actor };
    }
    const file = this.files.get(path);
    if (file) return file;
    // Its actor's avatar and header, as every server serves them (a 1×1 PNG unless `files` says otherwise).
    const pictures = [this.actor?.icon, this.actor?.image].map((p) => (typeof p?.url === 'string' ? p.url : undefined));
    if (pictures.some((u) => u && u.startsWith(this.origin) && new URL(u).pathname === path)) return { status: 200, type: 'image/png', body: ONE_PIXEL_PNG };
    const slow = this.slowDocuments.get(path);
    if (slow) return { status: 200, body: slow.body, after: slow.after };
    const doc = this.documents.get(path);
    return doc ? { status: 200, body: doc } : undefined;
  }
}
