// The object graph the inbox processor and the user's actions run in, built once for the
// unit tests (test/main/core/inbox, test/main/core/social): a real in-memory database,
// the real repositories, Outbox and LocalActions, and remote servers that exist only as
// documents a stub FederationClient answers with (no network). Wiring changes in
// src/main/core/instance.ts are mirrored here, in one place.
//
// Remote actors and their activities come from the real-world fixtures under
// test/fixtures/inbox/<kind>/ (see its README), filled in for this world.
import { generateKeyPairSync } from 'node:crypto';
import { openDatabase, type Db } from '../../../../src/main/core/store/database';
import { DEFAULT_INBOX, DEFAULT_LIMITS, DEFAULT_MEDIA } from '../../../../src/main/core/config';
import { InstanceEvents } from '../../../../src/main/core/events';
import { silentLogger } from '../../../../src/main/core/logger';
import { FetchError, HttpClient } from '../../../../src/main/core/federation/httpClient';
import type { FederationClient } from '../../../../src/main/core/federation/federationClient';
import type { Json } from '../../../../src/main/core/federation/activityStreams';
import { ensureLocalActor, loadProfile, LocalIdentity, updateProfile } from '../../../../src/main/core/federation/localActor';
import { RemoteActors } from '../../../../src/main/core/federation/remoteActors';
import { NoteRepository, type NoteRecord } from '../../../../src/main/core/social/noteRepository';
import { FollowRepository } from '../../../../src/main/core/social/followRepository';
import { NotificationRepository, type NotificationRecord } from '../../../../src/main/core/social/notificationRepository';
import { Views } from '../../../../src/main/core/social/views';
import { LocalActions } from '../../../../src/main/core/social/localActions';
import { Outbox } from '../../../../src/main/core/delivery/outbox';
import { MediaStore } from '../../../../src/main/core/media/mediaStore';
import { Uploads } from '../../../../src/main/core/media/uploads';
import { MediaCache } from '../../../../src/main/core/media/mediaCache';
import { AccountEvents } from '../../../../src/main/core/inbox/accountEvents';
import { InboxProcessor } from '../../../../src/main/core/inbox/inboxProcessor';
import { loadFixture, type ServerKind } from '../../../support/remote/fixtures';
import { BlockList } from '../../../../src/main/core/social/blockList';
import { Conversations } from '../../../../src/main/core/social/conversations';
import { conversationConfig } from '../../../../src/main/core/config';

export { SERVER_KINDS, type ServerKind } from '../../../support/remote/fixtures';

export const LOCAL_ORIGIN = 'https://outpost.example';
/** The world's clock: 2025-01-16, a day after the fixtures were "sent". */
export const NOW = Date.UTC(2025, 0, 16);

// 1024 bits: nothing signs here; the key only has to exist.
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** A remote server of one kind: its fixture actor, and its fixture activities filled in for this world. */
export interface Remote {
  kind: ServerKind;
  origin: string;
  actor: Json;
  actorId: string;
  handle: string;
  inbox: string;
  /** Where Outpost delivers to this actor: its shared inbox if it has one. */
  deliveryInbox: string;
  /** A fixture of this kind (create-note-mention, like, …); `extra` adds or overrides placeholders. */
  fixture(name: string, extra?: Record<string, string>): any;
}

/** A delivery row the Outbox queued, with the activity it carries. */
export interface QueuedDelivery {
  inbox: string;
  state: string;
  type: string;
  activity: any;
}

/** Answers GETs from a table of documents, as remote servers would (WebFinger included); records what was fetched. */
export class DocumentClient {
  readonly documents = new Map<string, Json>();
  readonly fetched: string[] = [];

  readonly client = {
    getActivityJson: async (url: string) => this.get(url),
    getActivityJsonFromPage: async (url: string) => this.get(url),
    getPlainJson: async (url: string) => {
      const u = new URL(url);
      const m = /^acct:([^@]+)@(.+)$/.exec(u.searchParams.get('resource') ?? '');
      const actor = m ? [...this.documents.values()].find((d) => d.preferredUsername === m[1] && new URL(String(d.id)).host === m[2] && d.inbox) : undefined;
      if (u.pathname !== '/.well-known/webfinger' || !actor) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
      this.fetched.push(url);
      return { subject: `acct:${m![1]}@${m![2]}`, links: [{ rel: 'self', type: 'application/activity+json', href: actor.id }] };
    },
  } as unknown as FederationClient;

  private get(url: string): Json {
    this.fetched.push(url);
    const doc = this.documents.get(url.split('#')[0]!);
    if (!doc) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
    return structuredClone(doc);
  }
}

export class World {
  readonly db: Db = openDatabase(':memory:');
  readonly events = new InstanceEvents();
  readonly web = new DocumentClient();
  now = NOW;
  readonly clock = () => this.now;
  readonly identity: LocalIdentity;
  readonly actors: RemoteActors;
  readonly notes: NoteRepository;
  readonly follows: FollowRepository;
  readonly notifications: NotificationRepository;
  readonly outbox: Outbox;
  readonly actions: LocalActions;
  readonly processor: InboxProcessor;
  readonly views: Views;
  readonly conversations: Conversations;
  private received = 0;

  constructor(username = 'alice', conversations: Parameters<typeof conversationConfig>[0] = {}) {
    this.db.prepare(`INSERT INTO local_actor (id, username, display_name, public_key_pem, private_key_pem, created_at)
      VALUES (1, ?, ?, ?, ?, ?)`).run(username, username, KEY.publicKey, KEY.privateKey, NOW);
    const { profile, privateKey } = ensureLocalActor(this.db, username);
    this.identity = new LocalIdentity(LOCAL_ORIGIN, profile.username, privateKey);
    this.actors = new RemoteActors(this.db, this.web.client, DEFAULT_LIMITS, false, this.clock);
    this.notes = new NoteRepository(this.db);
    this.follows = new FollowRepository(this.db);
    this.notifications = new NotificationRepository(this.db);
    const media = new MediaStore(this.db, '/nonexistent-outpost-test-dir', DEFAULT_MEDIA);
    const uploads = new Uploads(this.db, '/nonexistent-outpost-test-dir', DEFAULT_MEDIA);
    const cache = new MediaCache(this.db, '/nonexistent-outpost-test-dir', new HttpClient({ allowPrivateNetwork: false, userAgent: 'outpost-test' }), DEFAULT_MEDIA, silentLogger);
    const views = new Views(this.identity, this.notes, this.actors, () => loadProfile(this.db), () => media.avatar(), cache, () => false, {
      ownVotes: (noteId) => this.conversations.ownVotes(noteId), isBookmarked: (noteId) => this.conversations.bookmarks.has(noteId),
    }, this.clock);
    this.views = views;
    this.outbox = new Outbox(this.db, this.identity, this.clock);
    const config = conversationConfig(conversations);
    this.conversations = new Conversations({
      db: this.db, identity: this.identity, notes: this.notes, follows: this.follows, actors: this.actors, client: this.web.client,
      outbox: this.outbox, views, events: this.events, blocks: new BlockList(this.db), config, log: silentLogger, now: this.clock,
    });
    this.actions = new LocalActions({
      db: this.db, blocks: new BlockList(this.db), identity: this.identity, notes: this.notes, follows: this.follows, notifications: this.notifications,
      actors: this.actors, outbox: this.outbox, views, events: this.events, media, uploads, now: this.clock, pollSchedule: this.conversations.pollScheduler,
    });
    this.processor = new InboxProcessor({
      db: this.db, identity: this.identity, actors: this.actors, client: this.web.client, notes: this.notes, follows: this.follows,
      notifications: this.notifications, actions: this.actions, events: this.events, log: silentLogger, config: DEFAULT_INBOX, now: this.clock,
      blocks: new BlockList(this.db), fetcher: this.conversations.fetcher, polls: this.conversations.polls,
      editing: this.conversations.editing, pollLimits: config.polls,
      accountEvents: new AccountEvents({
        db: this.db, identity: this.identity, actors: this.actors, client: this.web.client, outbox: this.outbox, follows: this.follows,
        notifications: this.notifications, actions: this.actions, events: this.events, log: silentLogger, now: this.clock,
      }),
    });
  }

  /** A remote server of `kind` at `origin`, whose actor the stub client serves. */
  remote(kind: ServerKind, origin = `https://${kind}.example`): Remote {
    const vars = {
      REMOTE: origin, REMOTE_HOST: new URL(origin).host, LOCAL_ACTOR: this.identity.actor, LOCAL_HOST: this.identity.host,
      LOCAL_FOLLOWERS: this.identity.followers, PUBLIC_KEY_PEM: KEY.publicKey,
    };
    const fixture = (name: string, extra: Record<string, string> = {}) => loadFixture(kind, name, { ...vars, ...extra });
    const actor = fixture('actor') as Json;
    this.serve(actor);
    const id = String(actor.id);
    const shared = (actor.endpoints as Json | undefined)?.sharedInbox ?? actor.sharedInbox;
    return {
      kind, origin, actor, actorId: id, handle: `${String(actor.preferredUsername)}@${new URL(origin).host}`, inbox: String(actor.inbox),
      deliveryInbox: typeof shared === 'string' ? shared : String(actor.inbox), fixture,
    };
  }

  /** Serves a document at its id (an actor, a note) to the stub client. */
  serve(doc: Json): void {
    this.web.documents.set(String(doc.id), doc);
  }

  /** Stores an activity as the inbox does after verifying it (signed by `actorUri`), then processes the queue. */
  async receive(activity: Json, actorUri = String(activity.actor)): Promise<{ error: string | null }> {
    this.db.prepare(`INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, ?)
        ON CONFLICT DO NOTHING`).run(String(activity.id), actorUri, JSON.stringify(activity), this.now + ++this.received);
    await this.processor.drain();
    return this.db.prepare<[string], { error: string | null }>('SELECT error FROM inbox_items WHERE activity_uri = ?').get(String(activity.id))!;
  }

  /** Stores several activities (each from its own `actor`) as one busy inbox turn would, then processes them together. */
  async receiveTogether(activities: Json[]): Promise<{ error: string | null }[]> {
    const insert = this.db.prepare(`INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const a of activities) insert.run(String(a.id), String(a.actor), JSON.stringify(a), this.now + ++this.received);
    })();
    await this.processor.drain();
    const error = this.db.prepare<[string], { error: string | null }>('SELECT error FROM inbox_items WHERE activity_uri = ?');
    return activities.map((a) => error.get(String(a.id))!);
  }

  /** Sets the profile's follow approval (as the Settings view does, without announcing it). */
  requireApproval(on = true): void {
    updateProfile(this.db, { manuallyApprovesFollowers: on });
  }

  /** A note composed by the local user (through LocalActions). */
  async post(content = 'Season finale tonight! #tv', visibility: NoteRecord['visibility'] = 'public'): Promise<NoteRecord> {
    const { noteId } = await this.actions.compose({ content, visibility });
    return this.notes.byId(noteId)!;
  }

  /** `remote` follows the local user, accepted (its Follow received and auto-accepted). */
  async followedBy(remote: Remote): Promise<void> {
    await this.receive(remote.fixture('follow'));
    if (this.follows.followers.get(remote.actorId)?.state !== 'accepted') throw new Error(`${remote.actorId} is not an accepted follower`);
  }

  /** The local user follows `remote` (through LocalActions); with `accepted`, the remote's Accept arrives too. Returns our Follow's id. */
  async follow(remote: Remote, accepted = true): Promise<string> {
    await this.actions.follow(remote.handle);
    const followUri = this.follows.following.get(remote.actorId)!.followUri;
    if (accepted) await this.receive(remote.fixture('accept-follow', { LOCAL_FOLLOW: followUri }));
    return followUri;
  }

  /** Every delivery row queued so far (oldest first), optionally of one activity type. */
  deliveries(type?: string): QueuedDelivery[] {
    const rows = this.db.prepare<[], { inbox: string; state: string; type: string; body: string }>(`SELECT d.inbox, d.state, a.type, a.body
        FROM deliveries d JOIN activities a ON a.id = d.activity_id ORDER BY d.id`).all();
    return rows.filter((r) => !type || r.type === type).map((r) => ({ inbox: r.inbox, state: r.state, type: r.type, activity: JSON.parse(r.body) }));
  }

  /** Activities stored by the Outbox, whether or not they have a delivery row. */
  activities(type?: string): any[] {
    return this.db.prepare<[], { type: string; body: string }>('SELECT type, body FROM activities ORDER BY rowid').all()
      .filter((r) => !type || r.type === type).map((r) => JSON.parse(r.body));
  }

  /** Home timeline entries, newest first: the note's URI and who boosted it (null for the note itself). */
  timeline(): { uri: string; boostedBy: string | null }[] {
    return this.db.prepare<[], { uri: string; boostedBy: string | null }>(`SELECT n.uri, t.boosted_by AS boostedBy
        FROM timeline t JOIN notes n ON n.id = t.note_id ORDER BY t.sort_at DESC, t.id DESC`).all();
  }

  /** Notifications, newest first, optionally of one type. */
  notificationsOf(type?: NotificationRecord['type']): NotificationRecord[] {
    return this.notifications.page(1000).filter((n) => !type || n.type === type);
  }

  /** Likes or boosts of a note, by actor. */
  reactions(noteUri: string, kind: 'like' | 'announce'): string[] {
    return this.db.prepare<[string, string], { actor_uri: string }>('SELECT actor_uri FROM reactions WHERE note_uri = ? AND kind = ?')
      .all(noteUri, kind).map((r) => r.actor_uri);
  }
}

/** A fresh world (its own in-memory database). */
export function world(username?: string, conversations?: Parameters<typeof conversationConfig>[0]): World {
  return new World(username, conversations);
}
