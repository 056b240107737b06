/**
 * What both signature specs (draft-cavage and RFC 9421) share: the error type and its
 * codes, the request shape, header lookup, the time window, key loading, and signing /
 * verifying off the event loop.
 *
 * Signing and verification use the callback forms of crypto.sign / crypto.verify, which
 * run RSA in libuv's threadpool instead of blocking the event loop (in Electron a blocked
 * main process freezes the window).
 */
import {
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  type SigningOptions,
} from 'node:crypto';
import { DEFAULT_SIGNATURES, type InstanceLimits } from '../../config';

/**
 * Why a signature was refused. The first group is found before any key is fetched:
 * - missing_signature: no signature headers at all;
 * - malformed_signature: they cannot be parsed (or name no key);
 * - missing_header: a component that must be covered is not, or a covered one is absent;
 * - bad_digest: Digest / Content-Digest does not match the body;
 * - stale_date, future_date: outside the time window (or expired);
 * - unsupported_algorithm: an algorithm we cannot verify (or sign with).
 * Then, once a key is looked up (the verifier's reasons):
 * - key_unavailable: the key could not be fetched;
 * - bad_key: the key cannot verify this signature (unreadable, absent, or of a type that
 *   does not fit the algorithm);
 * - bad_signature: the signature does not verify with the key.
 */
export type SignatureErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_header'
  | 'bad_digest'
  | 'stale_date'
  | 'future_date'
  | 'unsupported_algorithm'
  | 'key_unavailable'
  | 'bad_key'
  | 'bad_signature';

/** An error with a machine-readable code; the message is for people. */
export class SignatureError extends Error {
  readonly code: SignatureErrorCode;
  constructor(message: string, code: SignatureErrorCode) {
    super(message);
    this.name = 'SignatureError';
    this.code = code;
  }
}

export function malformed(message: string): SignatureError {
  return new SignatureError(message, 'malformed_signature');
}

export interface SignableRequest {
  method: string;
  /** path + query as sent on the wire, e.g. "/inbox?x=1" */
  path: string;
  /** header names lower-case; values as strings */
  headers: Record<string, string | string[] | undefined>;
}

/** The value of a header, looked up by lower-case name (then case-insensitively); arrays joined with ", ". */
export function headerValue(headers: SignableRequest['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        if (value !== undefined) break;
      }
    }
  }
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => v.trim()).join(', ');
  return value.trim();
}

/** The bytes of a body, without copying a Buffer or Uint8Array. */
export function toBuffer(body: Uint8Array | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Whether a request must carry (and sign) a body digest: methods with a body (a missing
 * one counts as empty, since Mastodon requires a signed digest on POST), or any request
 * that does have body bytes.
 */
export function needsDigest(method: string, body?: Uint8Array | string): boolean {
  return BODY_METHODS.has(method.toUpperCase()) || (body !== undefined && toBuffer(body).length > 0);
}

/** The caller's extra headers with lower-case names: where the headers a signer returns start. */
export function lowerCaseHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** The body to digest when signing: the given one, or an empty one for a method that has a body. */
export function bodyToSign(method: string, body?: Uint8Array | string): Uint8Array | string | undefined {
  return body ?? (BODY_METHODS.has(method.toUpperCase()) ? '' : undefined);
}

// ---- the time window -------------------------------------------------------------------

/**
 * How old, and how far ahead, a signature may be. Taken from InstanceLimits (config.ts),
 * the one place the window is written; every check takes it as a required parameter.
 */
export type SignatureWindow = Pick<InstanceLimits, 'signatureMaxAgeMs' | 'signatureMaxFutureSkewMs'>;

/**
 * Throws stale_date or future_date when `atMs` (when the signature was made: its Date or
 * created) lies outside the window around `now`; `what` names it in the message.
 */
export function checkWindow(atMs: number, now: number, window: SignatureWindow, what: string): void {
  if (now - atMs > window.signatureMaxAgeMs) throw new SignatureError(`${what} is too old`, 'stale_date');
  if (atMs - now > window.signatureMaxFutureSkewMs) throw new SignatureError(`${what} is in the future`, 'future_date');
}

/** Throws stale_date once an expires time (epoch seconds) has passed. */
export function checkExpires(expiresS: number | undefined, now: number): void {
  if (expiresS !== undefined && expiresS * 1000 < now) throw new SignatureError('signature has expired', 'stale_date');
}

// ---- keys and crypto -------------------------------------------------------------------

/** PEMs already parsed, least recently used first (a Map keeps insertion order). */
const parsedKeys = new Map<string, KeyObject>();

/**
 * A public KeyObject from a PEM (or a KeyObject; a private key is reduced to its public
 * half). Throws bad_key for an unreadable key, unsupported_algorithm for a secret key.
 * The verifier calls this once per request; a PEM seen lately is not parsed again (the
 * cache is keyed by the PEM's text, so a rotated key is a new entry).
 */
export function loadPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key === 'string') {
    const known = parsedKeys.get(key);
    if (known) {
      parsedKeys.delete(key);
      parsedKeys.set(key, known);
      return known;
    }
  }
  let out: KeyObject;
  try {
    out = typeof key === 'string' || key.type === 'private' ? createPublicKey(key) : key;
  } catch (err) {
    throw new SignatureError(`cannot read public key: ${(err as Error).message}`, 'bad_key');
  }
  if (out.type !== 'public') throw new SignatureError('an asymmetric public key is needed', 'unsupported_algorithm');
  if (typeof key === 'string') {
    parsedKeys.set(key, out);
    if (parsedKeys.size > DEFAULT_SIGNATURES.parsedKeyCacheEntries) parsedKeys.delete(parsedKeys.keys().next().value!);
  }
  return out;
}

/** Throws bad_key unless `key` can sign. */
export function assertPrivateKey(key: KeyObject): void {
  if (key.type !== 'private') throw new SignatureError('a private key is needed to sign', 'bad_key');
}

/** A key as crypto.sign / crypto.verify take it, with the padding or encoding an algorithm needs. */
export type CryptoKey = KeyObject | (SigningOptions & { key: KeyObject });

/** `hash` is null for algorithms that name none (Ed25519). */
export function signAsync(hash: string | null, data: Buffer, key: CryptoKey): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    cryptoSign(hash, data, key, (err, sig) => (err ? reject(err) : resolve(sig)));
  });
}

/** Resolves false (never rejects) for a signature that does not verify or that crypto refuses outright. */
export function verifyAsync(hash: string | null, data: Buffer, key: CryptoKey, sig: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify(hash, data, key, sig, (err, ok) => resolve(err ? false : ok));
    } catch {
      resolve(false);
    }
  });
}
