// The one place tests and the benchmark reach the signature code (src/main/core/federation):
// signing what a fake remote sends, verifying what it receives, and the primitives the
// inbox tests forge requests with. When the signature modules move, only this file changes.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { checkIncomingRequest as checkCavage, signRequest, verifyParsedSignature, type ParsedSignature } from '../../../src/main/core/federation/signatures/cavage';
import type { SignableRequest } from '../../../src/main/core/federation/signatures/common';
import { DEFAULT_LIMITS } from '../../../src/main/core/config';
import { checkIncomingMessageSignature, hasMessageSignature, verifyMessageSignature } from '../../../src/main/core/federation/signatures/rfc9421';
import type { SignatureSpecName } from '../../../src/shared/federation';

export { signingString, signRequest, verifyParsedSignature } from '../../../src/main/core/federation/signatures/cavage';
export { digestHeader } from '../../../src/main/core/federation/signatures/digest';
export { signMessage } from '../../../src/main/core/federation/signatures/rfc9421';

/** draft-cavage pre-key checks with Outpost's own signature window (what a receiving server does). */
export function checkIncomingRequest(req: SignableRequest, opts: { body?: Uint8Array | string; now?: number } = {}): ParsedSignature {
  return checkCavage(req, { ...opts, window: DEFAULT_LIMITS });
}

export interface KeyPair {
  publicKeyPem: string;
  privateKey: KeyObject;
}

/** A fresh RSA-2048 key pair (slow: tens of milliseconds). */
export function newKeyPair(): KeyPair {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: keys.publicKey, privateKey: createPrivateKey(keys.privateKey) };
}

/**
 * One key for every fake remote actor in a process: generating thousands would take
 * minutes, and nothing here tests key identity (Outpost still fetches each actor and
 * verifies each signature).
 */
export const REMOTE_KEY: KeyPair = newKeyPair();

/**
 * Headers of a signed POST (draft-cavage, as Outpost and most servers send), without
 * Host: fetch and undici set it from the URL.
 */
export async function signedPostHeaders(p: { url: string; body: string; keyId: string; privateKey: KeyObject; now?: number }): Promise<Record<string, string>> {
  const { host: _host, ...headers } = await signRequest({ method: 'POST', url: p.url, body: p.body, keyId: p.keyId, privateKey: p.privateKey, now: p.now });
  void _host;
  return headers;
}

/** The public key behind a keyId and the actor owning it; null when the key is unknown. */
export type KeyLookup = (keyId: string) => Promise<{ owner: string; publicKey: KeyObject | string } | null>;

export interface Verification {
  ok: boolean;
  /** The spec the request was signed with (RFC 9421 when it has Signature-Input). */
  spec: SignatureSpecName;
  /** The owner of the key that signed it, when it verified. */
  signer: string | null;
  /** Why it did not verify. */
  error?: string;
}

/**
 * Checks an incoming request as a receiving server would: Date (or created) window, covered
 * components, Digest or Content-Digest = body, then the signature. `accepts` names the specs
 * this server understands (default both): a request in another spec does not verify.
 */
export async function verifyIncoming(
  req: { method?: string; url?: string; headers: IncomingHttpHeaders }, body: Buffer | undefined, lookup: KeyLookup,
  accepts: readonly SignatureSpecName[] = ['rfc9421', 'draft-cavage'],
): Promise<Verification> {
  const signable = { method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, scheme: 'http' };
  const spec: SignatureSpecName = hasMessageSignature(req.headers) ? 'rfc9421' : 'draft-cavage';
  try {
    if (!accepts.includes(spec)) return { ok: false, spec, signer: null, error: `this server does not take ${spec} signatures` };
    const opts = { ...(body !== undefined ? { body } : {}), window: DEFAULT_LIMITS };
    const parsed = spec === 'rfc9421' ? checkIncomingMessageSignature(signable, opts) : checkIncomingRequest(signable, opts);
    const keyId = 'keyId' in parsed ? parsed.keyId : parsed.params.keyid;
    const key = keyId ? await lookup(keyId) : null;
    if (!key) return { ok: false, spec, signer: null, error: `unknown key ${keyId}` };
    const ok = 'keyId' in parsed ? await verifyParsedSignature(parsed, signable, key.publicKey) : await verifyMessageSignature(parsed, signable, key.publicKey);
    return ok ? { ok: true, spec, signer: key.owner } : { ok: false, spec, signer: null, error: 'signature does not verify' };
  } catch (err) {
    return { ok: false, spec, signer: null, error: String(err) };
  }
}
