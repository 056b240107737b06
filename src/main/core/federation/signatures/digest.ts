/**
 * Body digests: `Digest` (RFC 3230, what draft-cavage signatures cover) and
 * `Content-Digest` (RFC 9530, what RFC 9421 signatures cover). Both name the same two
 * algorithms and are checked the same way: every entry of a known algorithm must match,
 * at least one must be there, and the bytes are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureError, headerValue, toBuffer, type SignableRequest } from './common';
import { parseDictionary, type SfMember } from './structuredFields';

/** Digest algorithm names (lower-case, as both headers spell them case-insensitively) → node:crypto hash. */
const DIGEST_ALGORITHMS: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

export type DigestAlgorithm = 'sha-256' | 'sha-512';

function hash(algorithm: DigestAlgorithm, body: Uint8Array | string): Buffer {
  return createHash(DIGEST_ALGORITHMS[algorithm] as string).update(toBuffer(body)).digest();
}

/** "SHA-256=<base64>" of the body. */
export function digestHeader(body: Uint8Array | string): string {
  return `SHA-256=${hash('sha-256', body).toString('base64')}`;
}

/** `sha-256=:<base64>:` (or sha-512) of the body. */
export function contentDigestHeader(body: Uint8Array | string, algorithm: DigestAlgorithm = 'sha-256'): string {
  return `${algorithm}=:${hash(algorithm, body).toString('base64')}:`;
}

/**
 * The one rule for both headers: true if `entries` (algorithm name, the digest given, or
 * null where the entry is not a digest at all) hold at least one known algorithm and every
 * known entry matches the body. Unknown algorithms are ignored.
 */
function entriesMatch(entries: Iterable<[string, Buffer | null]>, body: Uint8Array | string): boolean {
  const data = toBuffer(body);
  let known = 0;
  for (const [name, given] of entries) {
    const alg = DIGEST_ALGORITHMS[name.toLowerCase()];
    if (alg === undefined) continue;
    if (given === null) return false;
    known++;
    const expected = createHash(alg).update(data).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  }
  return known > 0;
}

/**
 * True if a Digest header value (possibly listing several comma-separated algorithms, e.g.
 * "SHA-256=...,SHA-512=...") holds at least one SHA-256 or SHA-512 entry and every such
 * entry matches the body. A header with only unknown algorithms gives false. Algorithm
 * names are case-insensitive.
 */
export function digestMatches(headerValue: string, body: Uint8Array | string): boolean {
  const entries: Array<[string, Buffer]> = [];
  for (const entry of headerValue.split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    entries.push([entry.slice(0, eq).trim(), Buffer.from(entry.slice(eq + 1).trim(), 'base64')]);
  }
  return entriesMatch(entries, body);
}

/**
 * True if a Content-Digest value holds at least one sha-256/sha-512 entry and every such
 * entry matches the body (other algorithms are ignored; an unparseable header gives false).
 */
export function contentDigestMatches(headerValue: string, body: Uint8Array | string): boolean {
  let dict: Map<string, SfMember>;
  try {
    dict = parseDictionary(headerValue);
  } catch {
    return false;
  }
  const entries = [...dict].map(([name, m]): [string, Buffer | null] => [
    name, m.kind === 'item' && m.item.value.t === 'bytes' ? m.item.value.v : null,
  ]);
  return entriesMatch(entries, body);
}

const DIGEST_HEADERS = {
  digest: { name: 'Digest', matches: digestMatches },
  'content-digest': { name: 'Content-Digest', matches: contentDigestMatches },
} as const;

/**
 * The pre-key digest step of both specs: the signature covers the body's digest header
 * (`covered` lists what it covers), the header is there, and it matches the raw body
 * bytes. Throws SignatureError missing_header or bad_digest.
 */
export function checkBodyDigest(
  header: keyof typeof DIGEST_HEADERS,
  covered: readonly string[],
  headers: SignableRequest['headers'],
  body: Uint8Array | string,
): void {
  const { name, matches } = DIGEST_HEADERS[header];
  if (!covered.includes(header)) throw new SignatureError(`signature does not cover ${header}`, 'missing_header');
  const value = headerValue(headers, header);
  if (value === undefined) throw new SignatureError(`no ${name} header`, 'missing_header');
  if (!matches(value, body)) throw new SignatureError(`${name} does not match the body`, 'bad_digest');
}
