// The inbox's HTTP side: verify, persist, answer 202. Processing happens later
// (InboxProcessor), so a slow or hostile sender never holds the request open.
//
// The order is the defence, cheapest first, and nothing is fetched, parsed or stored for
// a request that fails a step: federation paused (503) → content type and size (415/413)
// → rate limits on the signature's key and host (429) → the signature's pre-key checks
// over the raw bytes: header, Date window, digest (401) → a bounded JSON parse (400/413)
// → a type processing ignores is answered 202, counted and dropped → the key must be on the actor's
// host (401, before any fetch) → fetch the key (cached, single-flight, failures
// remembered) and verify → the signer is the actor → the host's quota of activities
// waiting to be processed (429) → store (with the other requests of the same event-loop
// turn, in one transaction: inboxWriter.ts), 202.
import { createHash } from 'node:crypto';
import type { Db } from '../store/database';
import type { InboxConfig, InstanceLimits } from '../config';
import type { Logger } from '../logger';
import { actorKeyResolver, type RemoteActor, type RemoteActors } from '../federation/remoteActors';
import { FetchError } from '../federation/httpClient';
import type { SignableRequest } from '../federation/signatures/common';
import { checkSignature, signatureKeyId, verifyWithKey, type VerifyFailure } from '../federation/signatures/verifier';
import { hostOf, idOf, isActivityContentType, str, type Json } from '../federation/activityStreams';
import { ActivityShapeError, parseActivity } from './boundedJson';
import { InboxRateLimiter } from './rateLimiter';
import { InboxWriter, StorageFullError } from './inboxWriter';
import { HANDLED_TYPES } from './inboxProcessor';
import type { StorageHealth } from '../store/storageHealth';
import type { BlockList } from '../social/blockList';

export interface InboxRequest extends SignableRequest {
  body: Buffer;
}

export interface InboxResponse {
  status: number;
  body: Json;
  headers?: Record<string, string>;
}

export interface InboxHandlerDeps {
  db: Db;
  actors: RemoteActors;
  limits: InstanceLimits;
  inbox: InboxConfig;
  log: Logger;
  /** Null while federating is allowed; otherwise the reason it is paused. */
  federationBlocked: () => string | null;
  /** Our public URL's scheme, for RFC 9421 @target-uri/@scheme (default https). */
  publicScheme?: () => string;
  /** Retry-After for the 503 while federation is paused (the federation gate's answer). */
  retryAfterSeconds: () => number;
  /** Told when new activities were stored (once per batch: the requests of one event-loop turn are written together). */
  onStored: () => void;
  /** Activities of a host stored and not yet processed. */
  pendingFor: (host: string) => { items: number; bytes: number };
  /** The user's blocks: a blocked domain is refused on the signature's key host, before any work; a blocked account once its id is read. */
  blocks: Pick<BlockList, 'isDomainBlocked' | 'isBlocked'>;
  /** Told when a write fails for lack of space (and when one succeeds again). */
  storage?: Pick<StorageHealth, 'noteWriteFailure' | 'noteWriteSuccess'>;
  /** Told about every authenticated sender (host health uses it). */
  onVerifiedSender?: (host: string) => void;
  /** Told about each activity answered 202 and dropped for its type (the metrics count them). */
  onIgnored?: (type: string) => void;
  now?: () => number;
}

const reject = (status: number, error: string): InboxResponse => ({ status, body: { error } });
/** The rate limiter's name for senders whose request names no key. */
const UNSIGNED = '(unsigned)';

export class InboxHandler {
  private readonly writer: InboxWriter;
  private readonly now: () => number;
  private readonly limiter: InboxRateLimiter;

  constructor(private readonly d: InboxHandlerDeps) {
    this.now = d.now ?? Date.now;
    this.limiter = new InboxRateLimiter(d.inbox.rateLimits);
    this.writer = new InboxWriter(d.db, d.onStored, d.storage);
  }

  async handle(req: InboxRequest): Promise<InboxResponse> {
    const blocked = this.d.federationBlocked();
    if (blocked) return { status: 503, body: { error: blocked }, headers: { 'retry-after': String(this.d.retryAfterSeconds()) } };
    const contentType = str(req.headers['content-type']);
    if (!isActivityContentType(contentType)) return reject(415, 'expected Content-Type application/activity+json');
    if (req.body.length > this.d.limits.inboxMaxBytes) return reject(413, 'activity too large');
    const now = this.now();

    const keyHost = hostOfKey(signatureKeyId(req.headers));
    if (keyHost && this.d.blocks.isDomainBlocked(keyHost.host)) return reject(403, 'refused');
    // Requests without a usable signature share one bucket: they can only be refused, and
    // refusing them is cheap, but not free.
    const admitted = this.limiter.admit(keyHost?.host ?? UNSIGNED, keyHost?.keyId ?? UNSIGNED, now);
    if (!admitted.ok) {
      return { status: 429, body: { error: `too many requests from ${admitted.scope}` }, headers: { 'retry-after': String(admitted.retryAfterSeconds) } };
    }
    const signed = { ...req, scheme: this.d.publicScheme?.() ?? 'https' };
    const pre = checkSignature(signed, { window: this.d.limits, now });
    if (!pre.ok) return reject(401, `signature: ${rejection(pre)}`);

    let activity: Json;
    try {
      activity = parseActivity(req.body, this.d.inbox.shape);
    } catch (err) {
      if (err instanceof ActivityShapeError) return reject(err.status, err.message);
      throw err;
    }
    const id = str(activity.id);
    const actorUri = idOf(activity.actor);
    const type = str(activity.type);
    if (!type) return reject(400, 'an activity needs a type');
    // Nothing to do with it (Add/Remove to someone's featured collection — Mastodon sends
    // those without an id —, Flag, new types): no key is fetched and nothing is kept.
    if (!HANDLED_TYPES.has(type)) {
      this.d.onIgnored?.(type);
      return { status: 202, body: {} };
    }
    if (!id || !actorUri || !hostOf(id) || !hostOf(actorUri)) {
      return reject(400, 'an activity needs string id, type and actor URIs');
    }

    if (this.d.blocks.isBlocked(actorUri)) return reject(403, 'refused');
    // Keys live on their actor's server: a request naming a key elsewhere never makes us fetch it.
    if (hostOf(pre.checked.keyId) !== hostOf(actorUri)) return reject(401, 'signature: the key and the activity actor are on different hosts');

    // A deleted account's Delete: its document is gone, but the key we cached for it (however
    // old) still proves the Delete genuine, and must, or its follows and notes stay forever.
    const selfDelete = type === 'Delete' && idOf(activity.object) === actorUri;
    const keys = actorKeyResolver(this.d.actors, (keyId, err) => (selfDelete && isGone(err) ? this.cachedKeyOwner(actorUri, keyId) : undefined));
    const verified = await verifyWithKey(pre.checked, keys);
    if (!verified.ok) {
      // Never seen, a deleted account left nothing here to delete.
      if (verified.reason === 'key_unavailable' && selfDelete && isGone(verified.cause)) return { status: 202, body: {} };
      if (verified.reason === 'key_unavailable') this.d.log.info(`inbox: ${verified.message}`);
      return reject(401, `signature: ${rejection(verified)}`);
    }
    const signer = verified.signer;
    if (hostOf(signer) !== hostOf(actorUri)) return reject(401, 'signature: signer and activity actor are on different hosts');
    // Nor may another account on the same server act for this one (Mastodon and Misskey
    // refuse that too, short of an LD signature, which we do not check).
    if (signer !== actorUri) return reject(401, "signature: signer is not the activity's actor");
    // Activity ids live on the actor's server; anything else is a forgery attempt.
    if (hostOf(id) !== hostOf(actorUri)) return reject(401, "activity id is not on the actor's host");

    const host = hostOf(actorUri)!;
    this.d.onVerifiedSender?.(host);
    // Processing's count, and what waits in this turn's batch.
    const pending = this.d.pendingFor(host);
    const waiting = this.writer.waiting(host);
    const items = pending.items + waiting.items;
    const { pendingPerHostMaxItems, pendingPerHostMaxBytes, pendingRetryAfterSeconds } = this.d.inbox;
    if (items >= pendingPerHostMaxItems || pending.bytes + waiting.bytes + req.body.length > pendingPerHostMaxBytes) {
      return { status: 429, body: { error: `${host} has ${items} activities waiting to be processed` }, headers: { 'retry-after': String(pendingRetryAfterSeconds) } };
    }
    // GoToSocial sends every edit of a note under the same Update id: key Updates by their
    // body too, so a later edit is not dropped as a redelivery of the first one.
    const key = type === 'Update' ? `${id}#sha256=${createHash('sha256').update(req.body).digest('base64url')}` : id;
    try {
      await this.writer.write({ key, actorUri, host, body: req.body.toString('utf8'), bytes: req.body.length, receivedAt: now });
    } catch (err) {
      if (!(err instanceof StorageFullError)) throw err;
      return { status: 503, body: { error: 'storage full: try again later' }, headers: { 'retry-after': String(this.d.inbox.storageFullRetryAfterSeconds) } };
    }
    return { status: 202, body: {} };
  }

  /** The cached owner of `keyId`, if it is `actorUri` (fresh or not). */
  private cachedKeyOwner(actorUri: string, keyId: string): RemoteActor | undefined {
    const cached = this.d.actors.cached(actorUri);
    return cached?.keyId === keyId ? cached : undefined;
  }
}

const isGone = (err: unknown): boolean => err instanceof FetchError && (err.status === 410 || err.status === 404);

/** A key id's host, when it is a URL. */
function hostOfKey(keyId: string | undefined): { keyId: string; host: string } | undefined {
  const host = keyId ? hostOf(keyId) : undefined;
  return keyId && host ? { keyId, host } : undefined;
}

/** The 401's text: the pre-key problem as found; after a key was looked up, only that it failed. */
function rejection(failure: VerifyFailure): string {
  switch (failure.reason) {
    case 'key_unavailable': return `cannot fetch key ${failure.keyId}`;
    case 'bad_key': case 'bad_signature': return 'verification failed';
    default: return failure.message;
  }
}
