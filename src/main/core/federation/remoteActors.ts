// The remote actor cache: fetched on demand, kept in SQLite with a TTL (and the actors
// used lately in memory: actorMemory.ts), refreshed on Update and (once) when a signature
// fails to verify with the cached key.
import type { Db } from '../store/database';
import { DEFAULT_MEDIA, DEFAULT_PEOPLE, type InstanceLimits } from '../config';
import { parseEmojis, type EmojiRecord } from './as2Media';
import type { ActorSummary } from '../../../shared/dto';
import { FetchError } from './httpClient';
import type { FederationClient } from './federationClient';
import { asArray, hostOf, idOf, str, typeOf, type Json } from './activityStreams';
import { plainText, sanitizeRemoteHtml } from './sanitize';
import type { KeyResolver, ResolvedKey } from './signatures/verifier';
import { ActorMemory } from './actorMemory';

export interface RemoteActor {
  uri: string;
  host: string;
  username: string;
  name: string;
  summaryHtml: string;
  url: string | null;
  iconUrl: string | null;
  /** Custom emoji of the name and bio. */
  emojis: EmojiRecord[];
  inbox: string;
  sharedInbox: string | null;
  outbox: string | null;
  followersUrl: string | null;
  followingUrl: string | null;
  keyId: string | null;
  publicKeyPem: string | null;
  followersCount: number | null;
  followingCount: number | null;
  fetchedAt: number;
  /** The header image (`image`), or null. */
  imageUrl: string | null;
  /** PropertyValue attachments: plain-text name, sanitized HTML value. */
  fields: RemoteField[];
  /** Type Service or Application: an automated account. */
  bot: boolean;
  /** manuallyApprovesFollowers. */
  locked: boolean;
  /** The account it moved to (`movedTo`), or null. */
  movedTo: string | null;
  publishedAt: number | null;
  /** The outbox's totalItems, when fetched. */
  postsCount: number | null;
  /** When the collection counts were last fetched (they have their own TTL), or null. */
  countsFetchedAt: number | null;
}

export interface RemoteField {
  name: string;
  valueHtml: string;
}

interface ActorRow {
  uri: string; host: string; username: string; name: string; summary_html: string; url: string | null;
  icon_url: string | null; inbox: string; shared_inbox: string | null; outbox: string | null;
  followers_url: string | null; following_url: string | null; key_id: string | null; public_key_pem: string | null;
  followers_count: number | null; following_count: number | null; fetched_at: number; emojis_json: string;
  image_url: string | null; fields_json: string; bot: number; locked: number; moved_to: string | null; published_at: number | null;
  posts_count: number | null; counts_fetched_at: number | null;
}

const ACTOR_TYPES = new Set(['Person', 'Service', 'Application', 'Group', 'Organization']);

export class ActorDocumentError extends Error {}

/** A URL we may store, show and link to: http(s) only (never javascript:, data:, …). */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value).href;
  } catch {
    return null;
  }
}

/**
 * Whether a key id lives under an actor's own URI (`<actor>#main-key` as Mastodon, Misskey
 * and Pleroma name it, `<actor>/main-key` as GoToSocial does): such a key is the actor's
 * by construction; no other account on the host can claim it.
 */
export function keyUnderActor(keyId: string, actorUri: string): boolean {
  return keyId.split('#')[0] === actorUri || keyId.startsWith(`${actorUri}#`) || keyId.startsWith(`${actorUri}/`);
}

/**
 * Parses and checks an actor document fetched from (or claimed by) `expectedHost`. Its
 * key is taken only when bound to it: owned by it (`owner` = its id) and either under its
 * URI or `boundKeyId`, a key whose own document named this actor as owner (the caller
 * checked). Its inboxes must be on its own host: a follower cannot aim our signed POSTs
 * at a third party.
 */
export function parseActorDocument(doc: Json, expectedHost: string | undefined, now: number, boundKeyId?: string): RemoteActor {
  const uri = str(doc.id);
  const type = typeOf(doc);
  if (!uri || !type || !ACTOR_TYPES.has(type)) throw new ActorDocumentError('not an actor document');
  const host = hostOf(uri);
  if (!host || !httpUrl(uri)) throw new ActorDocumentError(`actor id is not an http(s) URL: ${uri}`);
  if (expectedHost && host !== expectedHost) throw new ActorDocumentError(`actor ${uri} was served by ${expectedHost}`);
  const inbox = httpUrl(doc.inbox);
  if (!inbox) throw new ActorDocumentError('actor has no inbox');
  if (hostOf(inbox) !== host) throw new ActorDocumentError(`actor ${uri} names an inbox on another host (${hostOf(inbox)})`);
  const endpoints = (doc.endpoints && typeof doc.endpoints === 'object' ? doc.endpoints : {}) as Json;
  const sharedInbox = httpUrl(endpoints.sharedInbox);
  const keys = asArray<Json>(doc.publicKey).filter((k) => k && typeof k === 'object');
  const key = keys.find((k) => {
    const id = str(k.id);
    if (!id || hostOf(id) !== host || (k.owner !== undefined && str(k.owner) !== uri)) return false;
    return keyUnderActor(id, uri) || id === boundKeyId;
  });
  const icon = asArray<Json>(doc.icon)[0];
  const image = asArray<Json>(doc.image)[0];
  const published = Date.parse(str(doc.published) ?? '');
  const username = str(doc.preferredUsername) ?? uri.split('/').pop() ?? 'unknown';
  return {
    uri,
    host,
    username,
    name: plainText(str(doc.name) ?? '') || username,
    summaryHtml: sanitizeRemoteHtml(str(doc.summary) ?? ''),
    url: httpUrl(str(doc.url) ?? idOf(asArray(doc.url)[0])),
    iconUrl: icon ? httpUrl(str(icon.url) ?? idOf(icon.url)) : null,
    emojis: parseEmojis(doc.tag, DEFAULT_MEDIA),
    inbox,
    // A shared inbox elsewhere is dropped (deliveries use the personal one), not trusted.
    sharedInbox: sharedInbox && hostOf(sharedInbox) === host ? sharedInbox : null,
    outbox: str(doc.outbox) ?? null,
    followersUrl: str(doc.followers) ?? null,
    followingUrl: str(doc.following) ?? null,
    keyId: key ? (str(key.id) ?? null) : null,
    publicKeyPem: key ? (str(key.publicKeyPem) ?? null) : null,
    followersCount: null,
    followingCount: null,
    fetchedAt: now,
    imageUrl: image ? httpUrl(str(image.url) ?? idOf(image.url)) : null,
    fields: fieldsOf(doc),
    bot: type === 'Service' || type === 'Application',
    locked: doc.manuallyApprovesFollowers === true,
    movedTo: httpUrl(idOf(doc.movedTo)),
    publishedAt: Number.isNaN(published) ? null : Math.min(published, now),
    postsCount: null,
    countsFetchedAt: null,
  };
}

/** The PropertyValue attachments (Mastodon's profile fields), names as text and values sanitized. */
function fieldsOf(doc: Json): RemoteField[] {
  return asArray<Json>(doc.attachment)
    .filter((a) => a && typeof a === 'object' && typeOf(a) === 'PropertyValue' && typeof a.name === 'string' && typeof a.value === 'string')
    .slice(0, DEFAULT_PEOPLE.actorFieldsMax)
    .map((a) => ({ name: plainText(a.name as string), valueHtml: sanitizeRemoteHtml(a.value as string) }))
    .filter((f) => f.name !== '');
}

/** `@user@host`, `user@host` → {username, host}; undefined when it is not a handle. */
export function parseHandle(handle: string): { username: string; host: string } | undefined {
  const m = /^(?:acct:)?@?([^@\s/]+)@([a-z0-9.\-]+(?::\d{1,5})?)$/i.exec(handle.trim());
  return m ? { username: m[1]!, host: m[2]!.toLowerCase() } : undefined;
}

export class RemoteActors {
  private readonly byUri;
  private readonly byKey;
  private readonly byHandle;
  private readonly upsert;
  private readonly remove;
  private readonly setCounts;
  /** Key fetches under way: concurrent requests naming one key wait for the same fetch. */
  private readonly keyFetches = new Map<string, Promise<RemoteActor>>();
  /** Keys that could not be had lately, and why: not asked for again until `until`. */
  private readonly keyFailures = new Map<string, { until: number; error: unknown }>();
  private readonly memory: ActorMemory;

  constructor(
    private readonly db: Db,
    private readonly client: FederationClient,
    private readonly limits: Pick<InstanceLimits, 'actorCacheTtlMs' | 'actorsInMemory' | 'keyRefetchMinAgeMs' | 'keyFailureTtlMs' | 'keyFailuresTracked'>,
    private readonly allowHttp: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.memory = new ActorMemory(db, limits.actorsInMemory);
    this.byUri = db.prepare<[string], ActorRow>('SELECT * FROM actors WHERE uri = ?');
    this.byKey = db.prepare<[string], ActorRow>('SELECT * FROM actors WHERE key_id = ? ORDER BY length(uri) DESC');
    this.byHandle = db.prepare<[string, string], ActorRow>('SELECT * FROM actors WHERE host = ? AND username = ? COLLATE NOCASE');
    this.upsert = db.prepare(`INSERT INTO actors (uri, host, username, name, summary_html, url, icon_url, inbox, shared_inbox,
        outbox, followers_url, following_url, key_id, public_key_pem, followers_count, following_count, fetched_at, emojis_json,
        image_url, fields_json, bot, locked, moved_to, published_at)
      VALUES (@uri, @host, @username, @name, @summaryHtml, @url, @iconUrl, @inbox, @sharedInbox, @outbox, @followersUrl,
        @followingUrl, @keyId, @publicKeyPem, @followersCount, @followingCount, @fetchedAt, @emojisJson,
        @imageUrl, @fieldsJson, @bot, @locked, @movedTo, @publishedAt)
      ON CONFLICT (uri) DO UPDATE SET host = excluded.host, username = excluded.username, name = excluded.name,
        summary_html = excluded.summary_html, url = excluded.url, icon_url = excluded.icon_url, inbox = excluded.inbox,
        shared_inbox = excluded.shared_inbox, outbox = excluded.outbox, followers_url = excluded.followers_url,
        following_url = excluded.following_url, key_id = excluded.key_id, public_key_pem = excluded.public_key_pem,
        followers_count = coalesce(excluded.followers_count, followers_count),
        following_count = coalesce(excluded.following_count, following_count), fetched_at = excluded.fetched_at,
        emojis_json = excluded.emojis_json,
        image_url = excluded.image_url, fields_json = excluded.fields_json, bot = excluded.bot, locked = excluded.locked,
        moved_to = excluded.moved_to, published_at = excluded.published_at`);
    this.setCounts = db.prepare(`UPDATE actors SET followers_count = coalesce(@followersCount, followers_count),
        following_count = coalesce(@followingCount, following_count), posts_count = coalesce(@postsCount, posts_count),
        counts_fetched_at = @at WHERE uri = @uri`);
    this.remove = db.prepare<[string]>('DELETE FROM actors WHERE uri = ?');
  }

  /** The cached actor, fresh or not. */
  cached(uri: string): RemoteActor | undefined {
    const known = this.memory.recall(uri);
    if (known) return known;
    const row = this.byUri.get(uri);
    return row ? this.memory.remember(fromRow(row)) : undefined;
  }

  /** The cached owner of `keyId`: keys are stored only on the actor they are bound to. `fromStore` skips the memory. */
  private cachedForKey(keyId: string, fromStore = false): RemoteActor | undefined {
    const known = fromStore ? undefined : this.memory.recallKey(keyId);
    if (known) return known;
    // The longest URI wins should `a` and `a/b` both sit under it.
    const row = this.byKey.get(keyId);
    return row ? this.memory.remember(fromRow(row), keyId) : undefined;
  }

  /** The actor, from cache while fresh, else fetched (a stale copy is used if the fetch fails). */
  async resolve(uri: string, opts: { refresh?: boolean } = {}): Promise<RemoteActor> {
    const cached = this.cached(uri);
    if (cached && !opts.refresh && this.now() - cached.fetchedAt < this.limits.actorCacheTtlMs) return cached;
    try {
      return await this.fetchAndStore(uri);
    } catch (err) {
      if (cached && !opts.refresh) return cached;
      throw err;
    }
  }

  /** Stores an actor document received in an Update (already authenticated as that actor). */
  storeDocument(doc: Json, expectedUri: string): RemoteActor {
    // A key bound before (through its own document) stays bound while the actor lists it.
    const actor = parseActorDocument(doc, hostOf(expectedUri), this.now(), this.cached(expectedUri)?.keyId ?? undefined);
    if (actor.uri !== expectedUri) throw new ActorDocumentError('Update of another actor');
    this.memory.forget(actor.uri);
    this.upsert.run(toParams(actor));
    return actor;
  }

  /** Records counts fetched from an actor's collections (null keeps what was known). */
  storeCounts(uri: string, counts: Pick<RemoteActor, 'followersCount' | 'followingCount' | 'postsCount'>, at: number): void {
    this.memory.forget(uri);
    this.setCounts.run({ uri, ...counts, at });
  }

  /** Drops an actor from the cache, and the failed fetches of its keys with it: it starts afresh. */
  forget(uri: string): void {
    this.memory.forget(uri);
    this.remove.run(uri);
    for (const keyId of this.keyFailures.keys()) if (keyUnderActor(keyId, uri)) this.keyFailures.delete(keyId);
  }

  /**
   * The actor owning `keyId`, for signature verification. `refresh` refetches it
   * (key rotation) unless the cached copy is younger than keyRefetchMinAgeMs.
   */
  async forKey(keyId: string, opts: { refresh?: boolean } = {}): Promise<RemoteActor> {
    // A refresh (a signature failed: rare) decides on the stored row itself.
    const cached = this.cachedForKey(keyId, opts.refresh);
    if (cached) {
      const age = this.now() - cached.fetchedAt;
      if (!opts.refresh && age < this.limits.actorCacheTtlMs) return cached;
      if (opts.refresh && age < this.limits.keyRefetchMinAgeMs) return cached;
      // The key was bound when stored; a fresh copy of its actor keeps it if it still lists it.
      const refetch = () => this.oneFetch(`refresh ${keyId}`, async () => this.store(await this.fetchActor(cached.uri, keyId)));
      if (opts.refresh) return refetch();
      // Stale: refresh, but a sender whose actor endpoint hiccups keeps federating on the cached key.
      return refetch().catch(() => cached);
    }
    const failed = this.keyFailures.get(keyId);
    if (failed && failed.until > this.now()) throw failed.error;
    return this.oneFetch(keyId, () => this.fetchKeyOwner(keyId)).catch((error: unknown) => {
      this.rememberFailure(keyId, error);
      throw error;
    });
  }

  /**
   * The owner of a key we have not cached. The key id is usually the actor URI plus a
   * fragment (Mastodon) or a sub-path the server answers with the actor or a key object
   * naming its owner. The owner must be on the key's host and list the key; only then is
   * anything stored.
   */
  private async fetchKeyOwner(keyId: string): Promise<RemoteActor> {
    const docUrl = keyId.split('#')[0]!;
    const keyHost = hostOf(keyId);
    const doc = await this.client.getActivityJson(docUrl);
    let actor: RemoteActor;
    if (ACTOR_TYPES.has(typeOf(doc) ?? '')) {
      actor = parseActorDocument(doc, keyHost, this.now());
    } else {
      const owner = str(doc.owner) ?? str((doc.publicKey as Json | undefined)?.owner);
      if (!owner) throw new ActorDocumentError(`key ${keyId} names no owner`);
      if (str(doc.id) !== docUrl || hostOf(owner) !== keyHost) throw new ActorDocumentError(`key ${keyId} names an owner elsewhere (${owner})`);
      actor = await this.fetchActor(owner, keyId);
    }
    if (actor.keyId !== keyId) throw new ActorDocumentError(`actor ${actor.uri} does not own key ${keyId}`);
    return this.store(actor);
  }

  /** Runs `fetch` unless one for `key` is under way, in which case its result is shared. */
  private oneFetch(key: string, fetch: () => Promise<RemoteActor>): Promise<RemoteActor> {
    let p = this.keyFetches.get(key);
    if (!p) {
      p = fetch().finally(() => this.keyFetches.delete(key));
      this.keyFetches.set(key, p);
    }
    return p;
  }

  private rememberFailure(keyId: string, error: unknown): void {
    this.keyFailures.delete(keyId);
    if (this.keyFailures.size >= this.limits.keyFailuresTracked) this.keyFailures.delete(this.keyFailures.keys().next().value!);
    this.keyFailures.set(keyId, { until: this.now() + this.limits.keyFailureTtlMs, error });
  }

  /** Resolves `@user@host` by WebFinger (or an actor URL directly). */
  async resolveHandle(handle: string, opts: { refresh?: boolean } = {}): Promise<RemoteActor> {
    const trimmed = handle.trim();
    if (/^https?:\/\//i.test(trimmed)) return this.resolve(trimmed, opts);
    const parsed = parseHandle(trimmed);
    if (!parsed) throw new ActorDocumentError(`"${handle}" is not a handle like @user@example.social`);
    const cached = this.byHandle.get(parsed.host, parsed.username);
    if (cached && !opts.refresh && this.now() - cached.fetched_at < this.limits.actorCacheTtlMs) return this.memory.remember(fromRow(cached));
    let lastError: unknown;
    for (const scheme of this.schemesFor(parsed.host)) {
      try {
        return await this.webfinger(scheme, parsed);
      } catch (err) {
        lastError = err;
        if (err instanceof ActorDocumentError) throw err;
      }
    }
    throw lastError;
  }

  /**
   * One WebFinger lookup, as Mastodon does it: the answer's `subject` names the account's
   * real handle. On another host than the one asked, that host is asked too (once), and
   * must answer for the same subject. A subject that only drops the port we asked on (a
   * server unaware it sits behind one) is the same host.
   */
  private async webfinger(scheme: string, parsed: { username: string; host: string }): Promise<RemoteActor> {
    const query = async (host: string, resource: string) => {
      try {
        return await this.client.getPlainJson(`${scheme}://${host}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`, 'application/jrd+json, application/json');
      } catch (err) {
        if (err instanceof FetchError && err.kind === 'http' && err.status === 404) throw new ActorDocumentError(`${resource} does not exist on ${host}`);
        throw err;
      }
    };
    const resource = `acct:${parsed.username}@${parsed.host}`;
    let jrd = await query(parsed.host, resource);
    const subject = parseHandle(str(jrd.subject) ?? resource);
    if (!subject) throw new ActorDocumentError(`${parsed.host} answered for ${resource} with a subject that is not a handle`);
    if (!sameHost(subject.host, parsed.host)) {
      const again = await query(subject.host, `acct:${subject.username}@${subject.host}`);
      const confirmed = parseHandle(str(again.subject) ?? '');
      if (!confirmed || confirmed.host !== subject.host || confirmed.username.toLowerCase() !== subject.username.toLowerCase()) {
        throw new ActorDocumentError(`${parsed.host} says ${resource} is ${subject.username}@${subject.host}, but ${subject.host} does not confirm it`);
      }
      const first = selfLink(jrd);
      jrd = again;
      if (first && selfLink(again) !== first) throw new ActorDocumentError(`${parsed.host} and ${subject.host} name different actors for ${resource}`);
    }
    const self = selfLink(jrd);
    if (!self) throw new ActorDocumentError(`${parsed.host} has no ActivityPub actor for ${resource}`);
    return this.resolve(self, { refresh: true });
  }

  private schemesFor(host: string): string[] {
    if (!this.allowHttp) return ['https'];
    return isLocalish(host) ? ['http', 'https'] : ['https', 'http'];
  }

  private async fetchAndStore(uri: string): Promise<RemoteActor> {
    return this.store(await this.fetchActor(uri));
  }

  /** Fetches and checks an actor document (not stored); `boundKeyId` as in parseActorDocument. */
  private async fetchActor(uri: string, boundKeyId?: string): Promise<RemoteActor> {
    const doc = await this.client.getActivityJson(uri);
    const actor = parseActorDocument(doc, hostOf(uri), this.now(), boundKeyId);
    if (actor.uri !== uri && hostOf(actor.uri) !== hostOf(uri)) throw new ActorDocumentError(`${uri} served another actor`);
    const counts = await this.collectionCounts(doc);
    return { ...actor, ...counts };
  }

  private async collectionCounts(doc: Json): Promise<Pick<RemoteActor, 'followersCount' | 'followingCount'>> {
    const count = (v: unknown) => (v && typeof v === 'object' && typeof (v as Json).totalItems === 'number' ? ((v as Json).totalItems as number) : null);
    return { followersCount: count(doc.followers), followingCount: count(doc.following) };
  }

  private store(actor: RemoteActor): RemoteActor {
    this.memory.forget(actor.uri);
    this.upsert.run(toParams(actor));
    return actor;
  }
}

/** The ActivityPub actor a WebFinger answer links (rel self, an AS2 type). */
function selfLink(jrd: Json): string | undefined {
  const self = asArray<Json>(jrd.links).find(
    (l) => l?.rel === 'self' && typeof l.href === 'string' && /activity\+json|ld\+json/.test(String(l.type ?? '')),
  );
  return self ? (self.href as string) : undefined;
}

/** Whether a WebFinger subject's host is the host asked: equal, or the same name with the port dropped. */
function sameHost(subjectHost: string, askedHost: string): boolean {
  const s = subjectHost.toLowerCase();
  const a = askedHost.toLowerCase();
  return s === a || (!/:\d+$/.test(s) && a.replace(/:\d+$/, '') === s);
}

function isLocalish(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.startsWith('[');
}

function fromRow(r: ActorRow): RemoteActor {
  return {
    uri: r.uri, host: r.host, username: r.username, name: r.name, summaryHtml: r.summary_html, url: r.url, iconUrl: r.icon_url,
    inbox: r.inbox, sharedInbox: r.shared_inbox, outbox: r.outbox, followersUrl: r.followers_url, followingUrl: r.following_url,
    keyId: r.key_id, publicKeyPem: r.public_key_pem, followersCount: r.followers_count, followingCount: r.following_count,
    fetchedAt: r.fetched_at, imageUrl: r.image_url, fields: JSON.parse(r.fields_json) as RemoteField[], bot: r.bot === 1,
    locked: r.locked === 1, movedTo: r.moved_to, publishedAt: r.published_at, postsCount: r.posts_count, countsFetchedAt: r.counts_fetched_at,
    emojis: JSON.parse(r.emojis_json) as EmojiRecord[],
  };
}

function toParams(a: RemoteActor) {
  const { fields, bot, locked, emojis, postsCount: _p, countsFetchedAt: _c, ...rest } = a;
  return { ...rest, fieldsJson: JSON.stringify(fields), emojisJson: JSON.stringify(emojis), bot: bot ? 1 : 0, locked: locked ? 1 : 0 };
}

/** An actor as the signature verifier sees it: the owner of its key. */
function signingKeyOf(actor: RemoteActor): ResolvedKey {
  return { signer: actor.uri, publicKey: actor.publicKeyPem };
}

/**
 * Keys from the remote actor cache, for the signature verifier (a refresh is rate-limited
 * by keyRefetchMinAgeMs). `fallback` may answer with an actor when the lookup fails (the
 * inbox uses it for a deleted account's Delete); returning undefined rethrows.
 */
export function actorKeyResolver(
  actors: Pick<RemoteActors, 'forKey'>,
  fallback?: (keyId: string, err: unknown) => RemoteActor | undefined,
): KeyResolver {
  return {
    async resolve(keyId, opts) {
      try {
        return signingKeyOf(await actors.forKey(keyId, opts));
      } catch (err) {
        const actor = fallback?.(keyId, err);
        if (!actor) throw err;
        return signingKeyOf(actor);
      }
    },
  };
}

export function summarizeRemote(actor: RemoteActor): ActorSummary {
  return {
    uri: actor.uri,
    handle: `${actor.username}@${actor.host}`,
    name: actor.name,
    url: actor.url,
    iconUrl: actor.iconUrl,
    iconSrc: null,
    summaryHtml: actor.summaryHtml,
    local: false,
    emojis: [],
    movedTo: actor.movedTo,
  };
}

/** A placeholder summary for an actor we never managed to fetch. */
export function unknownActorSummary(uri: string): ActorSummary {
  const host = hostOf(uri) ?? 'unknown';
  const name = uri.split('/').filter(Boolean).pop() ?? uri;
  return { uri, handle: `${name}@${host}`, name, url: uri, iconUrl: null, iconSrc: null, summaryHtml: '', local: false, emojis: [] };
}
