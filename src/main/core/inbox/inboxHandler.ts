// The inbox's HTTP side: verify, persist, answer 202. Processing happens later
// (InboxProcessor), so a slow or hostile sender never holds the request open.
import { createHash } from 'node:crypto';
import type { Db } from '../store/database';
import type { InstanceLimits } from '../config';
import type { Logger } from '../logger';
import type { RemoteActors } from '../federation/remoteActors';
import { FetchError } from '../federation/httpClient';
import { checkIncomingRequest, verifyParsedSignature } from '../federation/signatures/cavage';
import { SignatureError, type SignableRequest } from '../federation/signatures/common';
import { checkIncomingMessageSignature, hasMessageSignature, verifyMessageSignature } from '../federation/signatures/rfc9421';

/** A signature that passed its pre-key checks, and how to verify it once the key is known. */
interface CheckedSignature {
  keyId: string;
  verify(publicKeyPem: string): Promise<boolean>;
}
import { hostOf, idOf, isActivityContentType, str, type Json } from '../federation/activityStreams';

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
  log: Logger;
  /** Null while federating is allowed; otherwise the reason it is paused. */
  federationBlocked: () => string | null;
  /** Our public URL's scheme, for RFC 9421 @target-uri/@scheme (default https). */
  publicScheme?: () => string;
  /** Retry-After for the 503 while federation is paused (default 3600). */
  retryAfterSeconds?: () => number;
  /** Told when a new activity was stored. */
  onStored: () => void;
  /** Told about every authenticated sender (host health uses it). */
  onVerifiedSender?: (host: string) => void;
  now?: () => number;
}

const reject = (status: number, error: string): InboxResponse => ({ status, body: { error } });

export class InboxHandler {
  private readonly insert;
  private readonly now: () => number;

  constructor(private readonly d: InboxHandlerDeps) {
    this.now = d.now ?? Date.now;
    this.insert = d.db.prepare(`INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at)
        VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  }

  async handle(req: InboxRequest): Promise<InboxResponse> {
    const blocked = this.d.federationBlocked();
    if (blocked) return { status: 503, body: { error: blocked }, headers: { 'retry-after': String(this.d.retryAfterSeconds?.() ?? 3600) } };
    const contentType = str(req.headers['content-type']);
    if (!isActivityContentType(contentType)) return reject(415, 'expected Content-Type application/activity+json');
    if (req.body.length > this.d.limits.inboxMaxBytes) return reject(413, 'activity too large');

    let activity: Json;
    try {
      const parsed: unknown = JSON.parse(req.body.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      activity = parsed as Json;
    } catch {
      return reject(400, 'body is not a JSON object');
    }
    const id = str(activity.id);
    const actorUri = idOf(activity.actor);
    const type = str(activity.type);
    if (!id || !actorUri || !type || !hostOf(id) || !hostOf(actorUri)) {
      return reject(400, 'an activity needs string id, type and actor URIs');
    }

    let sig: CheckedSignature;
    try {
      sig = this.checkSignature(req);
    } catch (err) {
      if (err instanceof SignatureError) return reject(401, `signature: ${err.message}`);
      throw err;
    }

    const keyId = sig.keyId;
    let signer;
    try {
      signer = await this.d.actors.forKey(keyId);
    } catch (err) {
      const gone = err instanceof FetchError && (err.status === 410 || err.status === 404);
      if (!(type === 'Delete' && idOf(activity.object) === actorUri && gone)) {
        this.d.log.info(`inbox: cannot fetch key ${keyId}: ${err instanceof Error ? err.message : String(err)}`);
        return reject(401, `signature: cannot fetch key ${keyId}`);
      }
      // A deleted account's Delete: its document is gone, but the key we cached for it (however
      // old) still proves the Delete genuine, and must, or its follows and notes stay forever.
      // Never seen, it left nothing here to delete.
      const cached = this.d.actors.cached(actorUri);
      if (!cached || cached.keyId !== keyId) return { status: 202, body: {} };
      signer = cached;
    }
    if (hostOf(signer.uri) !== hostOf(actorUri)) return reject(401, 'signature: signer and activity actor are on different hosts');
    // Nor may another account on the same server act for this one (Mastodon and Misskey
    // refuse that too, short of an LD signature, which we do not check).
    if (signer.uri !== actorUri) return reject(401, "signature: signer is not the activity's actor");
    if (!(await this.verify(sig, signer.publicKeyPem))) {
      // Maybe the key rotated: refetch once.
      try {
        signer = await this.d.actors.forKey(keyId, { refresh: true });
      } catch {
        return reject(401, 'signature: verification failed');
      }
      if (!(await this.verify(sig, signer.publicKeyPem))) return reject(401, 'signature: verification failed');
    }
    // Activity ids live on the actor's server; anything else is a forgery attempt.
    if (hostOf(id) !== hostOf(actorUri)) return reject(401, "activity id is not on the actor's host");

    this.d.onVerifiedSender?.(hostOf(actorUri)!);
    // GoToSocial sends every edit of a note under the same Update id: key Updates by their
    // body too, so a later edit is not dropped as a redelivery of the first one.
    const key = type === 'Update' ? `${id}#sha256=${createHash('sha256').update(req.body).digest('base64url')}` : id;
    const stored = this.insert.run(key, actorUri, req.body.toString('utf8'), this.now()).changes > 0;
    if (stored) this.d.onStored();
    return { status: 202, body: {} };
  }

  /**
   * The pre-key checks of whichever signature the request carries: RFC 9421 (Signature-Input,
   * Content-Digest) when present, else draft-cavage (Signature, Digest). Throws SignatureError.
   */
  private checkSignature(req: InboxRequest): CheckedSignature {
    const window = { body: req.body, now: this.now(), window: this.d.limits };
    if (hasMessageSignature(req.headers)) {
      // The scheme the sender used to reach us is our public URL's (TLS may end at a tunnel or proxy).
      const signed = { ...req, scheme: this.d.publicScheme?.() ?? 'https' };
      const parsed = checkIncomingMessageSignature(signed, window);
      if (!parsed.params.keyid) throw new SignatureError('the signature names no keyid', 'malformed_signature');
      return { keyId: parsed.params.keyid, verify: (pem) => verifyMessageSignature(parsed, signed, pem) };
    }
    const parsed = checkIncomingRequest(req, window);
    return { keyId: parsed.keyId, verify: (pem) => verifyParsedSignature(parsed, req, pem) };
  }

  private async verify(sig: CheckedSignature, pem: string | null): Promise<boolean> {
    if (!pem) return false;
    try {
      return await sig.verify(pem);
    } catch (err) {
      if (err instanceof SignatureError) return false;
      throw err;
    }
  }
}
