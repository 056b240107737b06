// Follower servers for delivery tests: a RemoteServer hosting one generated user that
// follows an Outpost the real way (a signed Follow) and answers its deliveries however a
// test scripts them (remoteServer.ts: any status and headers, slowly, or never). It can be
// stopped (connection refused) and restarted on the same port.
import { eventually } from '../outpost';
import { RemoteServer, accept, blockAddress, personDocument, type InboxAnswer, type InboxRequest, type Responder } from './remoteServer';
import { REMOTE_KEY, signedPostHeaders } from './signing';
import type { SignatureSpecName } from '../../../src/shared/federation';

export { accept, type InboxAnswer, type InboxRequest, type Responder };

export interface InboxServerOptions {
  /** Loopback address to listen on, e.g. 127.0.2.7. */
  ip: string;
  username?: string;
  /** Shared inbox to advertise: true for `${origin}/inbox`, a URL, or none (personal inbox only). */
  sharedInbox?: boolean | string;
  respond?: Responder;
  /**
   * The signature specs this server takes: when set, it verifies every POST for real (the
   * key fetched from the signer's actor document) and answers 401 to one it cannot verify,
   * as Mastodon (both), GoToSocial (both) or an older server (draft-cavage only) would.
   */
  acceptsSpecs?: readonly SignatureSpecName[];
}

/** Looks a key up the way a receiving server does: GET the key id's actor document. */
async function fetchKey(keyId: string): Promise<{ owner: string; publicKey: string } | null> {
  const res = await fetch(keyId.split('#')[0]!, { headers: { accept: 'application/activity+json' }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) return null;
  const doc = (await res.json()) as { id?: string; publicKey?: { id?: string; publicKeyPem?: string } };
  return doc.publicKey?.id === keyId && doc.publicKey.publicKeyPem && doc.id ? { owner: doc.id, publicKey: doc.publicKey.publicKeyPem } : null;
}

export class InboxServer {
  private readonly server: RemoteServer;

  constructor(readonly opts: InboxServerOptions) {
    this.server = new RemoteServer({
      address: opts.ip,
      respond: opts.respond ?? accept,
      ...(opts.acceptsSpecs ? { verify: fetchKey, acceptsSpecs: opts.acceptsSpecs, refuseUnverified: true } : {}),
      site: {
        get: (path) => (path === `/users/${this.username}` ? { status: 200, body: this.actorDocument() } : undefined),
        actorFor: (name) => (name === this.username ? this.actorId : undefined),
      },
    });
  }

  get received(): InboxRequest[] {
    return this.server.received;
  }
  /** With acceptsSpecs: each signed GET's spec, or "refused <spec>". */
  get getSpecs(): string[] {
    return this.server.getSpecs;
  }
  get respond(): Responder {
    return this.server.respond;
  }
  set respond(r: Responder) {
    this.server.respond = r;
  }
  get port(): number {
    return this.server.port;
  }
  get origin(): string {
    return this.server.origin;
  }
  get host(): string {
    return this.server.host;
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
    return this.server.listening;
  }

  actorDocument(): Record<string, unknown> {
    return personDocument({
      id: this.actorId, username: this.username, name: `${this.username} at ${this.opts.ip}`, publicKeyPem: REMOTE_KEY.publicKeyPem, sharedInbox: this.sharedInbox,
    });
  }

  /** Listens (on a free port the first time, on the same port after a stop). */
  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  /** Stops listening and drops every open connection (hanging ones included): the port now refuses. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** POSTs of one activity type (Create, Accept, …). */
  ofType(type: string): InboxRequest[] {
    return this.server.ofType(type);
  }

  /** The Creates of one of our notes (by its local id) this server received. */
  creates(noteId: string): InboxRequest[] {
    return this.received.filter((r) => r.type === 'Create' && typeof r.json?.object?.id === 'string' && r.json.object.id.endsWith(`/notes/${noteId}`));
  }

  /** Sends a signed Follow of `localActor` to `inboxUrl`; returns the HTTP status. */
  async follow(localActor: string, inboxUrl: string): Promise<number> {
    const body = JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${this.origin}/follows/${Date.now()}-${Math.random().toString(36).slice(2)}`,
      type: 'Follow', actor: this.actorId, object: localActor,
    });
    const headers = await signedPostHeaders({ url: inboxUrl, body, keyId: `${this.actorId}#main-key`, privateKey: REMOTE_KEY.privateKey });
    const res = await fetch(inboxUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  }
}

/** Starts `count` servers on consecutive addresses of the loopback block from `first` (blockAddress). */
export async function startInboxServers(first: string, count: number, opts: Omit<InboxServerOptions, 'ip'> = {}): Promise<InboxServer[]> {
  const servers = Array.from({ length: count }, (_, i) => new InboxServer({ ...opts, ip: blockAddress(first, i) }));
  await Promise.all(servers.map((s) => s.start()));
  return servers;
}

/** An Outpost as followAll needs it: its actor, its public URL, and its followers list (admin API). */
export interface FollowTarget {
  actor: string;
  publicUrl: string;
  rpc(method: 'followers'): Promise<{ state: string; actor: { uri: string } }[]>;
}

/**
 * Has every server follow the Outpost (a signed Follow to its shared inbox) and waits
 * until all are accepted followers.
 */
export async function followAll(o: FollowTarget, servers: InboxServer[], timeoutMs = 15_000): Promise<void> {
  const statuses = await Promise.all(servers.map((s) => s.follow(o.actor, `${o.publicUrl}/inbox`)));
  const bad = statuses.filter((s) => s !== 202);
  if (bad.length > 0) throw new Error(`Follow answered ${bad.join(', ')}`);
  const uris = new Set(servers.map((s) => s.actorId));
  await eventually(async () => (await o.rpc('followers')).filter((f) => f.state === 'accepted' && uris.has(f.actor.uri)).length === uris.size,
    timeoutMs, `${uris.size} accepted followers`);
}
