/**
 * The one verification protocol for incoming signed requests, whichever spec signed them
 * (the model is Fedify's verifyRequestDetailed):
 *   1. pick the spec: RFC 9421 when Signature-Input (with its Signature) is present,
 *      else draft-cavage;
 *   2. pre-key checks: parse, time window, required components, the body digest over the
 *      raw bytes — a request failing these never causes a key fetch;
 *   3. fetch the key through the caller's KeyResolver and verify;
 *   4. on failure refetch the key once (the sender may have rotated it) and verify again.
 * The outcome is a value, never an exception: callers map the reason to their answer.
 */
import type { KeyObject } from 'node:crypto';
import { SignatureError, loadPublicKey, type SignableRequest, type SignatureErrorCode, type SignatureWindow } from './common';
import { checkIncomingRequest, parseSignatureHeader, signatureHeaderOf, verifyParsedSignature } from './cavage';
import { checkIncomingMessageSignature, hasMessageSignature, parseMessageSignature, verifyMessageSignature } from './rfc9421';

import type { SignatureSpecName } from '../../../../shared/federation';

/** The spec a request was signed with (the one list: shared/federation.ts). */
export type SignatureSpec = SignatureSpecName;

/** A key and who owns it, as a KeyResolver finds it. */
export interface ResolvedKey {
  /** The key owner's URI (the actor who signed). */
  signer: string;
  /** PEM or KeyObject; null when the owner publishes no usable key. */
  publicKey: KeyObject | string | null;
}

/**
 * Where the verifier gets keys: the remote actor cache in production, a fixed map in
 * tests, or the inbox's cache-with-fallback for a deleted account's Delete.
 */
export interface KeyResolver {
  /**
   * The key named `keyId`. `refresh` is true when the key given before did not verify:
   * the resolver should fetch a fresh copy (or may return the same one, to rate-limit
   * refetches). Rejects when the key cannot be had.
   */
  resolve(keyId: string, opts: { refresh: boolean }): Promise<ResolvedKey>;
}

export interface IncomingRequest extends SignableRequest {
  /** The raw body bytes, for the digest; undefined for a request without one (GET). */
  body?: Uint8Array | string;
  /** The scheme the sender used to reach us, for RFC 9421's @target-uri/@scheme (default https). */
  scheme?: string;
}

export interface VerifyOptions {
  keys: KeyResolver;
  /** How old / how far ahead a signature may be: InstanceLimits' window. */
  window: SignatureWindow;
  /** epoch ms, default Date.now() */
  now?: number;
}

export type VerifyResult =
  | { ok: true; signer: string; keyId: string; spec: SignatureSpec }
  | {
      ok: false;
      /** Before a key fetch any pre-key code; after it key_unavailable, bad_key or bad_signature. */
      reason: SignatureErrorCode;
      /** For people (and logs). */
      message: string;
      /** Known once the signature parsed. */
      keyId?: string;
      spec?: SignatureSpec;
      /** What the KeyResolver threw (for key_unavailable, or a failed refetch). */
      cause?: unknown;
    };

/** A signature that passed its pre-key checks, and how to verify it with a key. */
export interface CheckedSignature {
  spec: SignatureSpec;
  keyId: string;
  verify(key: KeyObject): Promise<boolean>;
}

/** The spec the request's headers use. */
export function signatureSpecOf(headers: SignableRequest['headers']): SignatureSpec {
  return hasMessageSignature(headers) ? 'rfc9421' : 'draft-cavage';
}

/**
 * The key id a request's signature names, read from its headers alone (no window, digest
 * or key): what the inbox's rate limits count by before any signature work. Undefined when
 * there is no parsable signature (the full check then says why).
 */
export function signatureKeyId(headers: SignableRequest['headers']): string | undefined {
  try {
    if (hasMessageSignature(headers)) return parseMessageSignature(headers).params.keyid;
    const raw = signatureHeaderOf(headers);
    return raw === undefined ? undefined : parseSignatureHeader(raw).keyId;
  } catch {
    return undefined;
  }
}

export type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/**
 * Steps 1 and 2 alone: whatever can be checked without a key. A caller may look at the
 * request in between (the inbox compares the key's host with the activity's actor before
 * letting anything be fetched), then finish with `verifyWithKey`.
 */
export function checkSignature(req: IncomingRequest, opts: Omit<VerifyOptions, 'keys'>): { ok: true; checked: CheckedSignature } | VerifyFailure {
  try {
    return { ok: true, checked: checkBeforeKey(req, opts) };
  } catch (err) {
    if (err instanceof SignatureError) return { ok: false, reason: err.code, message: err.message, spec: signatureSpecOf(req.headers) };
    throw err;
  }
}

/** Step 2: everything that can be checked without a key. Throws SignatureError. */
function checkBeforeKey(req: IncomingRequest, opts: Omit<VerifyOptions, 'keys'>): CheckedSignature {
  const check = { body: req.body, now: opts.now ?? Date.now(), window: opts.window };
  if (signatureSpecOf(req.headers) === 'rfc9421') {
    // TLS may end at a tunnel or proxy: the scheme the sender signed is our public URL's.
    const signed = { ...req, scheme: req.scheme ?? 'https' };
    const parsed = checkIncomingMessageSignature(signed, check);
    if (!parsed.params.keyid) throw new SignatureError('the signature names no keyid', 'malformed_signature');
    return { spec: 'rfc9421', keyId: parsed.params.keyid, verify: (key) => verifyMessageSignature(parsed, signed, key) };
  }
  const parsed = checkIncomingRequest(req, check);
  return { spec: 'draft-cavage', keyId: parsed.keyId, verify: (key) => verifyParsedSignature(parsed, req, key) };
}

type Attempt = { ok: true } | { ok: false; reason: 'bad_key' | 'bad_signature'; message: string };

/** Step 3 with one key: loads it once (PEM → KeyObject) and verifies. */
async function attempt(sig: CheckedSignature, resolved: ResolvedKey): Promise<Attempt> {
  if (resolved.publicKey === null) return { ok: false, reason: 'bad_key', message: `${resolved.signer} publishes no key` };
  try {
    return (await sig.verify(loadPublicKey(resolved.publicKey)))
      ? { ok: true }
      : { ok: false, reason: 'bad_signature', message: 'the signature does not verify' };
  } catch (err) {
    // Pre-key checks passed, so what is left to go wrong is the key: unreadable, or of a
    // type that does not fit the algorithm.
    if (err instanceof SignatureError) return { ok: false, reason: 'bad_key', message: err.message };
    throw err;
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Verifies a signed request (either spec) and says who signed it. Never throws for a bad
 * request or an unavailable key; rethrows only what would be a bug.
 */
export async function verifyRequest(req: IncomingRequest, opts: VerifyOptions): Promise<VerifyResult> {
  const pre = checkSignature(req, opts);
  return pre.ok ? verifyWithKey(pre.checked, opts.keys) : pre;
}

/** Steps 3 and 4: fetch the key, verify, and refetch once on failure. */
export async function verifyWithKey(sig: CheckedSignature, keys: KeyResolver): Promise<VerifyResult> {
  const { keyId, spec } = sig;

  let key: ResolvedKey;
  try {
    key = await keys.resolve(keyId, { refresh: false });
  } catch (cause) {
    return { ok: false, reason: 'key_unavailable', message: `cannot fetch key ${keyId}: ${errorText(cause)}`, keyId, spec, cause };
  }
  const first = await attempt(sig, key);
  if (first.ok) return { ok: true, signer: key.signer, keyId, spec };

  // Maybe the key rotated: refetch once, and only once.
  let fresh: ResolvedKey;
  try {
    fresh = await keys.resolve(keyId, { refresh: true });
  } catch (cause) {
    return { ok: false, reason: first.reason, message: `${first.message} (refetching the key failed: ${errorText(cause)})`, keyId, spec, cause };
  }
  // The resolver may hand back the same key (refetched too recently): it would fail again.
  if (fresh.publicKey === key.publicKey) return { ok: false, reason: first.reason, message: first.message, keyId, spec };
  const second = await attempt(sig, fresh);
  if (second.ok) return { ok: true, signer: fresh.signer, keyId, spec };
  return { ok: false, reason: second.reason, message: second.message, keyId, spec };
}
