/**
 * The one signing step for everything we send — delivery POSTs and signed GETs — in
 * either spec: draft-cavage (`Signature`, `Digest`) or RFC 9421 (`Signature-Input`,
 * `Signature`, `Content-Digest`). Which spec a host gets is decided elsewhere
 * (signedRequests.ts, from the host's remembered choice); this only signs.
 *
 * RFC 9421 requests cover `@method @target-uri @authority`, `content-digest` with a
 * body, and `date` (sent too, for servers that still check it), with `created`, `keyid`
 * and `alg` parameters — what Mastodon 4.5 and Fedify send. An `Accept-Signature` hint
 * (RFC 9421 §5.1) from the server may ask for other components, another label or the
 * RSA-PSS algorithm: what we can make is honoured, the rest ignored.
 */
import type { KeyObject } from 'node:crypto';
import type { SignatureSpecName } from '../../../../shared/federation';
import { signRequest } from './cavage';
import { signMessage } from './rfc9421';
import { parseDictionary, isKey } from './structuredFields';

export type { SignatureSpecName };

/** What a server asked for in `Accept-Signature`. */
export interface SignatureHint {
  label: string;
  components: string[];
  alg?: string;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: Buffer | string;
  /** The body's `Digest` (`SHA-256=…`) when already computed (once per activity, not per inbox). */
  digest?: string;
  keyId: string;
  privateKey: KeyObject;
  /** Extra headers to send (lower-case names), e.g. accept. */
  headers?: Record<string, string>;
  /** RFC 9421 only: the server's Accept-Signature wishes. */
  hint?: SignatureHint;
  /** epoch ms, default Date.now() */
  now?: number;
}

/** The components an RFC 9421 signature of ours covers. */
export function defaultComponents(hasBody: boolean): string[] {
  return hasBody ? ['@method', '@target-uri', '@authority', 'content-digest', 'date'] : ['@method', '@target-uri', '@authority', 'date'];
}

/** Components we can sign: derived request components and the headers we send. */
const SIGNABLE_DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query']);
const SIGNABLE_HEADERS = new Set(['content-digest', 'date', 'host', 'content-type', 'accept']);
/** Algorithms an RSA key makes. */
const RSA_ALGS = new Set(['rsa-v1_5-sha256', 'rsa-pss-sha512']);

/** The headers of a signed request, in the given spec. Runs the RSA work on libuv's pool. */
export async function signOutgoing(spec: SignatureSpecName, r: OutgoingRequest): Promise<Record<string, string>> {
  const now = r.now ?? Date.now();
  const body = r.method === 'POST' ? (r.body ?? '') : r.body;
  if (spec === 'draft-cavage') {
    return signRequest({ method: r.method, url: r.url, body, digest: r.digest, keyId: r.keyId, privateKey: r.privateKey, headers: r.headers, now });
  }
  const headers: Record<string, string> = { ...r.headers, date: new Date(now).toUTCString() };
  if (body !== undefined) headers['content-type'] ??= 'application/activity+json';
  const hasBody = body !== undefined;
  const hinted = r.hint ? r.hint.components.filter((c) => SIGNABLE_DERIVED.has(c) || SIGNABLE_HEADERS.has(c)) : [];
  // A hint names what the server wants covered; we add what our own rules require.
  const components = [...new Set([...hinted, ...defaultComponents(hasBody)])]
    .filter((c) => c !== 'content-digest' || hasBody)
    .filter((c) => c.startsWith('@') || c === 'content-digest' || headers[c] !== undefined || c === 'host');
  if (components.includes('host')) headers.host = new URL(r.url).host;
  const alg = r.hint?.alg && RSA_ALGS.has(r.hint.alg) && r.privateKey.asymmetricKeyType === 'rsa' ? r.hint.alg : undefined;
  return signMessage({
    method: r.method, url: r.url, body, keyId: r.keyId, privateKey: r.privateKey, components, now, headers,
    label: r.hint?.label, ...(alg ? { alg } : {}), ...(r.digest && hasBody ? { contentDigest: contentDigestOf(r.digest) } : {}),
  });
}

/** `SHA-256=<b64>` (Digest) → `sha-256=:<b64>:` (Content-Digest): the same hash, spelled for RFC 9530. */
export function contentDigestOf(digest: string): string | undefined {
  const m = /^SHA-256=(.+)$/i.exec(digest.trim());
  return m ? `sha-256=:${m[1]}:` : undefined;
}

/**
 * The first usable request of an `Accept-Signature` header (an RFC 8941 dictionary of
 * inner lists: `sig1=("@method" "@target-uri");alg="rsa-pss-sha512"`), or undefined when
 * it is absent or unreadable. A hint naming another key than ours is not for us.
 */
export function parseAcceptSignature(value: string | string[] | undefined, ourKeyId: string): SignatureHint | undefined {
  const raw = Array.isArray(value) ? value.join(', ') : value;
  if (!raw) return undefined;
  let dict;
  try {
    dict = parseDictionary(raw);
  } catch {
    return undefined;
  }
  for (const [label, member] of dict) {
    if (member.kind !== 'list' || !isKey(label)) continue;
    const keyid = member.params.get('keyid');
    if (keyid && (keyid.t !== 'string' || keyid.v !== ourKeyId)) continue;
    const components: string[] = [];
    for (const item of member.items) {
      if (item.value.t === 'string' && item.params.size === 0) components.push(item.value.v);
    }
    const alg = member.params.get('alg');
    return { label, components, ...(alg?.t === 'string' ? { alg: alg.v } : {}) };
  }
  return undefined;
}
