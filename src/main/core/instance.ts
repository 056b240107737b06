// One Outpost instance: the store, the local actor, the public federation server, the
// inbox and the delivery sender. Plain Node: the Electron main process and the headless
// entry both own one of these.
import type { Server } from 'node:http';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { Db } from './store/database';
import { DATABASE_FILE, openInstanceDatabase } from './store/dataFolder';
import { probeWrite, StorageHealth } from './store/storageHealth';
import { WalCheckpointer } from './store/walCheckpointer';
import { Backups } from './store/backups';
import { DEFAULT_BACKUP, DEFAULT_STORAGE, DEFAULT_INBOX, DEFAULT_LIMITS, DEFAULT_MEDIA, DEFAULT_PEOPLE, DEFAULT_PUBLIC_SERVER, DEFAULT_SIGNATURES, DEFAULT_MOVES, deliveryConfig, withDefaults, type DeliveryConfig, type DeliveryOverrides, type InboxConfig, type InstanceLimits, type MediaConfig, type StorageConfig } from './config';
import { conversationConfig, type ConversationConfig } from './config';
import { Conversations } from './social/conversations';
import { InstanceEvents } from './events';
import { silentLogger, type Logger } from './logger';
import { HttpClient } from './federation/httpClient';
import { FederationClient } from './federation/federationClient';
import { HostSignatureSpecs } from './federation/hostSignatureSpecs';
import { ensureLocalActor, loadProfile, LocalIdentity } from './federation/localActor';
import { FederationGate } from './federation/federationGate';
import { RemoteActors } from './federation/remoteActors';
import { createPublicServer } from './site/publicServer';
import { closeServer, listen } from './http/httpUtil';
import { InboxHandler } from './inbox/inboxHandler';
import { InboxProcessor } from './inbox/inboxProcessor';
import { Outbox } from './delivery/outbox';
import { DeliveryQueue } from './delivery/deliveryQueue';
import { HostHealth } from './delivery/hostHealth';
import { DeliveryMetrics } from './metrics/deliveryMetrics';
import { MediaStore } from './media/mediaStore';
import { Uploads } from './media/uploads';
import { MediaCache } from './media/mediaCache';
import { answerMediaRequest } from './media/mediaRequests';
import type { FileReply } from './http/fileReply';
import { applyDeliverySettings, loadStoredSettings, saveTunnelSettings } from './settings';
import { exponentialBackoff as backoff, type RetryPolicy } from './delivery/retryPolicy';
import { networkProof, tunnelForProof } from './delivery/networkProof';
import { NoteRepository } from './social/noteRepository';
import { FollowRepository } from './social/followRepository';
import { NotificationRepository } from './social/notificationRepository';
import { Views } from './social/views';
import { LocalActions } from './social/localActions';
import { BlockList } from './social/blockList';
import { Moderation } from './social/moderation';
import { LinkVerifier } from './social/linkVerifier';
import { Profiles } from './social/profiles';
import { SentActivities } from './social/sentActivities';
import { FeaturedNotes } from './social/featured';
import { AccountMoves } from './social/accountMoves';
import { AccountEvents } from './inbox/accountEvents';
import { InboxMetrics } from './metrics/inboxMetrics';
import type { FederationState } from '../../shared/dto';
import { TunnelService, type TunnelServiceOptions } from './tunnel/tunnelService';

export const OUTPOST_VERSION = '0.1.0';

export interface InstanceOptions {
  dataDir: string;
  /** The URL remote servers reach this instance at; its origin is the identity unless one is pinned. */
  publicUrl: string;
  /** Public (federation) port to listen on; 0 picks a free one. */
  port: number;
  /** Address to bind the public server to. Default: the public URL's host when it is a loopback IP, else 127.0.0.1. */
  bindHost?: string;
  username: string;
  allowPrivateNetwork?: boolean;
  /** Private addresses reachable even without allowPrivateNetwork (one LAN peer; tests: a remote on 127.x while the rest of loopback stays refused). */
  privateNetworkAllowlist?: string[];
  /** Start a new identity even where the data folder shows an earlier instance (its database missing or empty). */
  allowNewIdentity?: boolean;
  limits?: Partial<InstanceLimits>;
  /** When the full integrity check runs, and the disk-full probe (tests run the check at once). */
  storage?: Partial<StorageConfig>;
  /** The inbox's rate limits and activity shape caps (benchmarks raise the rate limits). */
  inbox?: Partial<InboxConfig>;
  delivery?: DeliveryOverrides;
  /** Upload and media cache caps (tests lower them). */
  media?: Partial<MediaConfig>;
  /** Tunnel server and subdomain (the tunnel starts only when asked). */
  tunnel?: TunnelServiceOptions;
  /** Thread walks, poll results timing, search sizes (tests shorten the poll delay). */
  conversations?: Parameters<typeof conversationConfig>[0];
  /** Connectivity probe for the delivery engine (tests). Default: TCP connect. */
  connectivityProbe?: (origin: string) => Promise<boolean>;
  log?: Logger;
}

export class Instance {
  readonly events = new InstanceEvents();
  readonly db: Db;
  readonly identity: LocalIdentity;
  readonly limits: InstanceLimits;
  readonly inboxConfig: InboxConfig;
  readonly deliveryConfig: DeliveryConfig;
  readonly log: Logger;
  readonly http: HttpClient;
  readonly client: FederationClient;
  /** Which signature spec each remote host takes (the double-knock's memory). */
  readonly signatureSpecs: HostSignatureSpecs;
  readonly actors: RemoteActors;
  readonly notes: NoteRepository;
  readonly follows: FollowRepository;
  readonly notifications: NotificationRepository;
  readonly views: Views;
  readonly actions: LocalActions;
  readonly blockList: BlockList;
  readonly moderation: Moderation;
  /** Threads, edits, polls, bookmarks, search. */
  readonly conversations: Conversations;
  readonly conversationConfig: ConversationConfig;
  readonly links: LinkVerifier;
  readonly profiles: Profiles;
  readonly sent: SentActivities;
  /** Pinned posts (the featured collection), account moves and aliases. */
  readonly featured: FeaturedNotes;
  readonly moves: AccountMoves;
  readonly outbox: Outbox;
  readonly hostHealth: HostHealth;
  readonly queue: DeliveryQueue;
  readonly metrics: DeliveryMetrics;
  readonly media: MediaStore;
  readonly uploads: Uploads;
  readonly mediaCache: MediaCache;
  readonly mediaConfig: MediaConfig;
  private retryPolicy: RetryPolicy;
  readonly inboxHandler: InboxHandler;
  readonly inboxProcessor: InboxProcessor;
  /** Whether we may federate now (identity pin, start address, tunnel address). */
  readonly gate: FederationGate;
  /** Whether the store can be trusted and written (integrity, disk full). */
  readonly storage: StorageHealth;
  private readonly checkpointer: WalCheckpointer;
  readonly backups: Backups;
  readonly tunnel: TunnelService;
  readonly startedAt = Date.now();
  private server: Server | undefined;
  private boundPort = 0;

  constructor(readonly options: InstanceOptions) {
    this.log = options.log ?? silentLogger;
    this.limits = withDefaults(DEFAULT_LIMITS, options.limits);
    this.inboxConfig = withDefaults(DEFAULT_INBOX, options.inbox);
    this.deliveryConfig = deliveryConfig(options.delivery);
    this.db = openInstanceDatabase(options.dataDir, { allowNewIdentity: options.allowNewIdentity, log: this.log });
    const storageConfig = withDefaults(DEFAULT_STORAGE, options.storage);
    this.storage = new StorageHealth(this.log, () => probeWrite(this.db), storageConfig);
    this.checkpointer = new WalCheckpointer(this.db, join(options.dataDir, DATABASE_FILE), storageConfig, this.log);
    this.backups = new Backups(this.db, options.dataDir, DEFAULT_BACKUP, this.log);
    applyDeliverySettings(this.deliveryConfig, loadStoredSettings(this.db).delivery);
    this.retryPolicy = backoff(this.deliveryConfig.retry);
    this.mediaConfig = withDefaults(DEFAULT_MEDIA, options.media);
    this.media = new MediaStore(this.db, options.dataDir, this.mediaConfig);
    this.uploads = new Uploads(this.db, options.dataDir, this.mediaConfig);
    const requestedOrigin = new URL(options.publicUrl).origin;
    this.gate = new FederationGate(this.db, requestedOrigin, DEFAULT_PUBLIC_SERVER);
    if (this.gate.paused) this.log.warn(this.gate.reason!);
    const { profile, privateKey, created } = ensureLocalActor(this.db, options.username);
    if (created) this.log.info(`created the local actor @${options.username} with a new RSA-2048 key`);
    else if (profile.username !== options.username) {
      this.log.warn(`this data folder belongs to @${profile.username}; --username ${options.username} is ignored`);
    }
    // Identity: the pinned origin once federated, else the one we were started with.
    this.identity = new LocalIdentity(FederationGate.identityOrigin(this.db, requestedOrigin), profile.username, privateKey);
    const signer = () => ({ keyId: this.identity.keyId, privateKey: this.identity.privateKey });

    this.http = new HttpClient({
      allowPrivateNetwork: !!options.allowPrivateNetwork,
      privateNetworkAllowlist: options.privateNetworkAllowlist,
      userAgent: `Outpost/${OUTPOST_VERSION} (+${this.identity.origin})`,
      connectionsPerOrigin: this.deliveryConfig.perHostConcurrency,
      connectTimeoutMs: this.deliveryConfig.connectTimeoutMs,
    });
    this.signatureSpecs = new HostSignatureSpecs(this.db, DEFAULT_SIGNATURES, () => loadStoredSettings(this.db).signatureSpec ?? DEFAULT_SIGNATURES.preferredSpec);
    this.client = new FederationClient(this.http, signer, this.limits, this.signatureSpecs);
    this.mediaCache = new MediaCache(this.db, options.dataDir, this.http, this.mediaConfig, this.log);
    this.actors = new RemoteActors(this.db, this.client, this.limits, !!options.allowPrivateNetwork || !!options.privateNetworkAllowlist?.length);
    this.notes = new NoteRepository(this.db);
    this.follows = new FollowRepository(this.db);
    this.notifications = new NotificationRepository(this.db);
    this.conversationConfig = conversationConfig(options.conversations);
    this.views = new Views(this.identity, this.notes, this.actors, () => loadProfile(this.db), () => this.media.avatar(), this.mediaCache,
      (id) => this.featured.isPinned(id), {
        ownVotes: (noteId) => this.conversations.ownVotes(noteId), isBookmarked: (noteId) => this.conversations.bookmarks.has(noteId),
      });
    this.outbox = new Outbox(this.db, this.identity);
    this.hostHealth = new HostHealth(this.db, this.deliveryConfig.hosts, () => this.deliveryConfig.retry);
    this.metrics = new DeliveryMetrics(this.db, () => this.hostHealth.stateCounts(Date.now()));
    // The queue registers its gauges with the metrics, and wakes up on the outbox's signal.
    this.queue = new DeliveryQueue({
      db: this.db, http: this.http, signer, specs: this.signatureSpecs, config: this.deliveryConfig, retryPolicy: (ctx) => this.retryPolicy(ctx),
      hostHealth: this.hostHealth, changes: this.outbox.changed, events: this.events, log: this.log, metrics: this.metrics,
      onGone: (inbox) => this.dropGoneInbox(inbox),
      probe: options.connectivityProbe ?? ((origin) => this.http.canConnect(origin, this.deliveryConfig.connectivity.probeTimeoutMs)),
      proveNetwork: networkProof({
        tunnel: () => tunnelForProof(this.tunnel.status()),
        wellKnownOrigins: () => this.deliveryConfig.connectivity.wellKnownOrigins,
        canConnect: (origin) => this.http.canConnect(origin, this.deliveryConfig.connectivity.probeTimeoutMs),
        timeoutMs: this.deliveryConfig.connectivity.probeTimeoutMs,
      }),
      storage: this.storage,
    });
    this.blockList = new BlockList(this.db);
    this.moderation = new Moderation({
      db: this.db, identity: this.identity, actors: this.actors, follows: this.follows, notes: this.notes,
      notifications: this.notifications, outbox: this.outbox, views: this.views, blocks: this.blockList,
    });
    this.conversations = new Conversations({
      db: this.db, identity: this.identity, notes: this.notes, follows: this.follows, actors: this.actors, client: this.client,
      outbox: this.outbox, views: this.views, events: this.events, blocks: this.blockList, config: this.conversationConfig, log: this.log,
    });
    this.actions = new LocalActions({
      db: this.db, blocks: this.blockList, identity: this.identity, notes: this.notes, follows: this.follows, notifications: this.notifications,
      actors: this.actors, outbox: this.outbox, views: this.views, events: this.events, media: this.media,
      uploads: this.uploads,
      pollSchedule: this.conversations.pollScheduler,
    });
    this.links = new LinkVerifier(this.db, this.client, DEFAULT_PEOPLE, this.log);
    this.profiles = new Profiles({
      db: this.db, identity: this.identity, actors: this.actors, client: this.client, notes: this.notes, follows: this.follows,
      views: this.views, blocks: this.blockList, links: this.links, profile: () => loadProfile(this.db), config: DEFAULT_PEOPLE,
      events: this.events, log: this.log, media: this.media, cache: this.mediaCache,
    });
    this.sent = new SentActivities(this.db, this.notes, DEFAULT_PEOPLE);
    this.featured = new FeaturedNotes({ db: this.db, identity: this.identity, notes: this.notes, outbox: this.outbox, config: DEFAULT_MOVES });
    this.moves = new AccountMoves({
      db: this.db, identity: this.identity, actors: this.actors, client: this.client, outbox: this.outbox, config: DEFAULT_MOVES,
      announceProfile: () => this.actions.announceProfile(), actorSummary: (uri) => this.views.actor(uri),
    });
    const accountEvents = new AccountEvents({
      db: this.db, identity: this.identity, actors: this.actors, client: this.client, outbox: this.outbox, follows: this.follows,
      notifications: this.notifications, actions: this.actions, events: this.events, log: this.log, now: Date.now,
    });
    const inboxMetrics = new InboxMetrics(this.metrics.registry);
    this.inboxProcessor = new InboxProcessor({
      db: this.db, identity: this.identity, actors: this.actors, client: this.client, notes: this.notes, follows: this.follows,
      notifications: this.notifications, actions: this.actions, events: this.events, log: this.log, config: this.inboxConfig,
      storage: this.storage, blocks: this.blockList, accountEvents, fetcher: this.conversations.fetcher, polls: this.conversations.polls,
      editing: this.conversations.editing, pollLimits: this.conversationConfig.polls, searchBatch: this.conversationConfig.search.inboxBatch,
      onFollowAccepted: (uri) => void this.profiles.backfill(uri).catch((err) => this.log.warn(`backfill of ${uri}: ${String(err)}`)),
    });
    this.inboxHandler = new InboxHandler({
      db: this.db, actors: this.actors, limits: this.limits, inbox: this.inboxConfig, log: this.log,
      federationBlocked: () => this.gate.reason,
      retryAfterSeconds: () => this.gate.retryAfterSeconds(),
      publicScheme: () => new URL(this.identity.origin).protocol.replace(':', ''),
      onStored: () => void this.inboxProcessor.drain().catch((err) => this.log.error(`inbox processing: ${String(err)}`)),
      pendingFor: (host) => this.inboxProcessor.pending(host),
      storage: this.storage, blocks: this.blockList,
      onVerifiedSender: (host) => this.queue.noteAlive(host),
      onIgnored: (type) => inboxMetrics.ignored(type),
    });
    this.tunnel = new TunnelService({
      identityOrigin: () => this.identity.origin,
      actorUri: () => this.identity.actor,
      canRepin: () => this.follows.isEmpty(),
      setTunnelBlock: (reason) => this.gate.setTunnelBlock(reason),
      localPort: () => this.port,
      bindAddress: () => this.bindAddress,
      log: this.log,
    }, {
      ...options.tunnel,
      onUserChange: (cfg) => saveTunnelSettings(this.db, { enabled: cfg.enabled, host: cfg.host, subdomain: cfg.subdomain ?? undefined }),
    });
    this.tunnel.on('status', (s) => this.events.emit('tunnel', s));
    this.gate.onChange((paused) => this.queue.setPaused(paused));
    this.storage.onChange(() => this.events.emit('storage', this.storage.dto));
  }

  /** Starts the public server, the inbox processor and the delivery sender. */
  async start(): Promise<void> {
    this.server = createPublicServer({
      identity: this.identity, profile: () => loadProfile(this.db), notes: this.notes, follows: this.follows,
      inbox: this.inboxHandler, actors: this.actors, limits: this.limits, config: DEFAULT_PUBLIC_SERVER, log: this.log, version: OUTPOST_VERSION,
      stats: () => ({ notes: this.notes.countPublicBy(this.identity.actor) }),
      media: this.media, uploads: this.uploads, authorizedFetch: () => loadStoredSettings(this.db).authorizedFetch, blocks: this.blockList,
      pinned: () => this.featured.list(),
    });
    this.boundPort = await listen(this.server, this.options.port, this.bindHost());
    this.queue.setPaused(this.gate.paused);
    this.queue.start();
    this.metrics.start((err) => this.storage.noteWriteFailure(err));
    this.backups.start();
    this.conversations.start();
    this.storage.scheduleChecks(join(this.options.dataDir, DATABASE_FILE));
    this.checkpointer.start();
    this.links.startOwnChecks(() => this.profiles.ownLinks());
    void this.inboxProcessor.drain();
  }

  /** What a window's media path (`/media/local/…`, `/media/cache/…`) answers: the admin port and Electron's media scheme. */
  mediaRequest(path: string, range: string | undefined): Promise<FileReply> {
    return answerMediaRequest({ profile: this.media, uploads: this.uploads, cache: this.mediaCache, config: this.mediaConfig }, path, range);
  }

  /** Whether this instance may federate now, and if not why (live: the tunnel can pause it). */
  get federation(): FederationState {
    return this.gate.state;
  }

  /** The address the public server listens on (what a tunnel or reverse proxy connects to). */
  get bindAddress(): string {
    return this.bindHost();
  }

  get port(): number {
    return this.boundPort;
  }

  /** The URL the public server answers at (the identity origin is `identity.origin`). */
  get publicUrl(): string {
    return new URL(this.options.publicUrl).origin;
  }

  async stop(): Promise<void> {
    await this.tunnel.stop().catch(() => {});
    await this.backups.stop();
    this.storage.stop();
    this.links.stop();
    if (this.server) await closeServer(this.server);
    this.conversations.stop();
    await this.queue.stop();
    this.metrics.stop();
    await this.inboxProcessor.stop();
    await this.http.close().catch(() => {});
    await this.checkpointer.stop();
    this.db.close();
  }

  private bindHost(): string {
    if (this.options.bindHost) return this.options.bindHost;
    const host = new URL(this.options.publicUrl).hostname.replace(/^\[|\]$/g, '');
    return isIP(host) && (host.startsWith('127.') || host === '::1') ? host : '127.0.0.1';
  }

  /** Applies changed delivery settings to the running engine (caps at once, retry policy for the next failure). */
  reconfigureDelivery(changes: Parameters<typeof applyDeliverySettings>[1]): void {
    applyDeliverySettings(this.deliveryConfig, changes);
    this.retryPolicy = backoff(this.deliveryConfig.retry);
    this.queue.wake();
  }

  /** A 410 from a personal inbox means that follower is gone. */
  private dropGoneInbox(inbox: string): void {
    for (const uri of this.follows.removeFollowersAt(inbox)) this.log.info(`follower ${uri} is gone (410); removed`);
  }
}
