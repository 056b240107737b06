/**
 * draft-cavage-http-signatures, as ActivityPub servers use it: RSA-SHA256 (PKCS#1 v1.5)
 * over a Signature header (or Authorization: Signature), with a Digest of the body.
 * "hs2019" is accepted and verified as RSA-SHA256 when the key is RSA, which is what
 * Mastodon and GoToSocial send.
 */
import type { KeyObject } from 'node:crypto';
import {
  SignatureError,
  assertPrivateKey,
  bodyToSign,
  checkExpires,
  checkWindow,
  headerValue,
  loadPublicKey,
  lowerCaseHeaders,
  malformed,
  needsDigest,
  signAsync,
  verifyAsync,
  type SignableRequest,
  type SignatureWindow,
} from './common';
import { checkBodyDigest, digestHeader } from './digest';

/**
 * Builds the signing string for the listed components ("(request-target)",
 * "(created)", "(expires)", or header names). Throws SignatureError('missing_header')
 * if a header (or a covered created/expires parameter) is absent. Multiple values of
 * one header are joined with ", ".
 */
export function signingString(
  components: readonly string[],
  req: SignableRequest,
  params?: { created?: number; expires?: number },
): string {
  if (components.length === 0) throw new SignatureError('no components to sign', 'malformed_signature');
  const lines: string[] = [];
  for (const raw of components) {
    const name = raw.toLowerCase();
    if (name === '(request-target)') {
      lines.push(`${name}: ${req.method.toLowerCase()} ${req.path}`);
    } else if (name === '(created)' || name === '(expires)') {
      const v = name === '(created)' ? params?.created : params?.expires;
      if (v === undefined) throw new SignatureError(`${name} is covered but not given`, 'missing_header');
      lines.push(`${name}: ${v}`);
    } else if (name.startsWith('(')) {
      throw new SignatureError(`unknown pseudo-header ${name}`, 'malformed_signature');
    } else {
      const v = headerValue(req.headers, name);
      if (v === undefined) throw new SignatureError(`header ${name} is missing`, 'missing_header');
      lines.push(`${name}: ${v}`);
    }
  }
  return lines.join('\n');
}

export interface ParsedSignature {
  keyId: string;
  algorithm: string;
  headers: string[];
  signature: Buffer;
  created?: number;
  expires?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A-Z a-z 0-9 _ - */
const isTokenChar = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;

/** Splits `a="x", b=1` into a map; names lower-cased; duplicates are an error. */
function parseParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const n = s.length;
  const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  let i = 0;
  const skipWs = () => {
    while (i < n && isWs(s[i])) i++;
  };
  skipWs();
  while (i < n) {
    const start = i;
    while (i < n && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(start, i).toLowerCase();
    if (name === '') throw malformed(`unexpected character at ${i}`);
    skipWs();
    if (s[i] !== '=') throw malformed(`expected "=" after ${name}`);
    i++;
    skipWs();
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      // Copied in runs between escapes, not a character at a time (a signature is ~350 of them).
      let run = i;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === BACKSLASH && i + 1 < n) {
          value += s.slice(run, i) + s[i + 1];
          i += 2;
          run = i;
        } else if (c === QUOTE) {
          value += s.slice(run, i);
          closed = true;
          i++;
          break;
        } else {
          i++;
        }
      }
      if (!closed) throw malformed(`unterminated quoted value for ${name}`);
    } else {
      const vs = i;
      while (i < n && s[i] !== ',' && !isWs(s[i])) i++;
      value = s.slice(vs, i);
    }
    if (out.has(name)) throw malformed(`duplicate parameter ${name}`);
    out.set(name, value);
    skipWs();
    if (i >= n) break;
    if (s[i] !== ',') throw malformed(`expected "," after ${name}`);
    i++;
    skipWs();
  }
  return out;
}

function parseTimestamp(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw malformed(`bad ${name} parameter`);
  return Math.floor(Number(v));
}

/**
 * Parses a Signature header value (or an Authorization "Signature ..." value).
 * When the headers parameter is absent it defaults to ["date"] (older drafts,
 * Mastodon). When algorithm is absent it is reported as "hs2019".
 * Throws SignatureError('malformed_signature').
 */
export function parseSignatureHeader(value: string): ParsedSignature {
  let s = value.trim();
  const scheme = /^signature\s+(?=[A-Za-z])/i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  if (s === '') throw malformed('empty signature header');
  const params = parseParams(s);

  const keyId = params.get('keyid');
  if (keyId === undefined || keyId === '') throw malformed('keyId is missing');
  const sig = params.get('signature');
  if (sig === undefined || sig === '') throw malformed('signature is missing');
  const compact = sig.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw malformed('signature is not base64');
  const signature = Buffer.from(compact, 'base64');
  if (signature.length === 0) throw malformed('signature is empty');

  const headersParam = params.get('headers');
  let headers: string[];
  if (headersParam === undefined) {
    headers = ['date'];
  } else {
    headers = headersParam
      .split(/\s+/)
      .filter((h) => h !== '')
      .map((h) => h.toLowerCase());
    if (headers.length === 0) throw malformed('headers parameter is empty');
  }

  const algorithm = (params.get('algorithm') ?? 'hs2019').toLowerCase();
  const parsed: ParsedSignature = { keyId, algorithm, headers, signature };
  const created = parseTimestamp('created', params.get('created'));
  const expires = parseTimestamp('expires', params.get('expires'));
  if (created !== undefined) parsed.created = created;
  if (expires !== undefined) parsed.expires = expires;
  return parsed;
}

export interface OutgoingSignInput {
  method: 'GET' | 'POST' | string;
  url: string | URL;
  body?: Uint8Array | string;
  keyId: string;
  privateKey: KeyObject;
  contentType?: string;
  /** epoch ms, default Date.now() */
  now?: number;
  /** extra headers to include (lower-case names); e.g. accept. Sent but not signed. */
  headers?: Record<string, string>;
  /** The body's Digest header when already computed (once per activity, not per inbox). */
  digest?: string;
}

function assertRsa(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SignatureError(`key type ${key.asymmetricKeyType ?? key.type} is not supported (RSA only)`, 'unsupported_algorithm');
  }
}

/**
 * Returns the headers to send: host, date (IMF-fixdate), and for a body (or any
 * POST/PUT/PATCH, whose missing body counts as empty since Mastodon requires a
 * signed digest on POST) digest + content-type (default
 * 'application/activity+json'), plus signature. Extra `headers` are included
 * but not signed; they never override the computed ones.
 */
export async function signRequest(input: OutgoingSignInput): Promise<Record<string, string>> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  assertPrivateKey(input.privateKey);
  assertRsa(input.privateKey);
  if (/["\\\r\n]/.test(input.keyId)) throw malformed('keyId must not contain quotes, backslashes or newlines');

  const method = input.method.toUpperCase();
  const out = lowerCaseHeaders(input.headers);
  out['host'] = url.host;
  out['date'] = new Date(input.now ?? Date.now()).toUTCString();
  const components = ['(request-target)', 'host', 'date'];

  const body = bodyToSign(method, input.body);
  if (body !== undefined) {
    out['digest'] = input.digest ?? digestHeader(body);
    out['content-type'] = input.contentType ?? out['content-type'] ?? 'application/activity+json';
    components.push('digest', 'content-type');
  }
  delete out['signature'];

  const req: SignableRequest = { method, path: `${url.pathname}${url.search}`, headers: out };
  const data = Buffer.from(signingString(components, req), 'utf8');
  const sig = await signAsync('sha256', data, input.privateKey);
  out['signature'] =
    `keyId="${input.keyId}",algorithm="rsa-sha256",headers="${components.join(' ')}",signature="${sig.toString('base64')}"`;
  return out;
}

const ALGORITHMS = new Set(['rsa-sha256', 'hs2019']);

function assertAlgorithm(algorithm: string): void {
  if (!ALGORITHMS.has(algorithm.toLowerCase())) {
    throw new SignatureError(`algorithm ${algorithm} is not supported`, 'unsupported_algorithm');
  }
}

/**
 * Verifies the signature over req using publicKey (PEM string or KeyObject; the verifier
 * passes a KeyObject it loaded once). Resolves true/false. Throws
 * SignatureError('unsupported_algorithm') for algorithms other than rsa-sha256/hs2019 or
 * non-RSA keys, 'bad_key' for an unreadable key, and 'missing_header' if a covered header
 * is absent.
 */
export async function verifyParsedSignature(
  parsed: ParsedSignature,
  req: SignableRequest,
  publicKey: KeyObject | string,
): Promise<boolean> {
  assertAlgorithm(parsed.algorithm);
  const key = loadPublicKey(publicKey);
  assertRsa(key);
  const data = Buffer.from(signingString(parsed.headers, req, timestamps(parsed)), 'utf8');
  return verifyAsync('sha256', data, key, parsed.signature);
}

function timestamps(parsed: ParsedSignature): { created?: number; expires?: number } {
  const params: { created?: number; expires?: number } = {};
  if (parsed.created !== undefined) params.created = parsed.created;
  if (parsed.expires !== undefined) params.expires = parsed.expires;
  return params;
}

export interface IncomingCheckOptions {
  /** epoch ms, default Date.now() */
  now?: number;
  /** How old / how far ahead the Date (or created) may be: InstanceLimits' window. */
  window: SignatureWindow;
  /** components that must be covered; for POST default ["(request-target)","host","date","digest"], for GET ["(request-target)","host","date"] */
  required?: string[];
  body?: Uint8Array | string;
}

/**
 * Pre-key checks for an incoming request: parses the Signature header (or
 * Authorization: Signature), checks the algorithm is one we can verify, that
 * required components are covered and covered headers present, that the Date
 * header is present and within the window (an unparseable Date counts as
 * stale; (created)/(expires) are honoured when covered, and stand in for a
 * missing Date header when (created) is covered and date is not required),
 * and, when a body is given, that a Digest header is covered and matches.
 * Returns the parsed signature. Does not verify the cryptographic signature.
 */
/** The draft-cavage signature a request carries: its Signature header, or an `Authorization: Signature …`. */
export function signatureHeaderOf(headers: SignableRequest['headers']): string | undefined {
  const sig = headerValue(headers, 'signature');
  if (sig) return sig;
  const auth = headerValue(headers, 'authorization');
  return auth !== undefined && /^signature\s/i.test(auth) ? auth : undefined;
}

export function checkIncomingRequest(req: SignableRequest, opts: IncomingCheckOptions): ParsedSignature {
  const now = opts.now ?? Date.now();

  const raw = signatureHeaderOf(req.headers);
  if (raw === undefined) throw new SignatureError('no Signature header', 'missing_signature');

  const parsed = parseSignatureHeader(raw);
  assertAlgorithm(parsed.algorithm);

  const required =
    opts.required?.map((c) => c.toLowerCase()) ??
    (needsDigest(req.method, opts.body) ? ['(request-target)', 'host', 'date', 'digest'] : ['(request-target)', 'host', 'date']);
  for (const c of required) {
    if (!parsed.headers.includes(c)) throw new SignatureError(`signature does not cover ${c}`, 'missing_header');
  }
  // Throws missing_header if a covered header is absent.
  signingString(parsed.headers, req, timestamps(parsed));

  const coversCreated = parsed.headers.includes('(created)');
  const date = headerValue(req.headers, 'date');
  if (date === undefined || date === '') {
    if (!coversCreated || required.includes('date')) throw new SignatureError('no Date header', 'missing_header');
  } else {
    const t = Date.parse(date);
    if (Number.isNaN(t)) throw new SignatureError(`unparseable Date header: ${date}`, 'stale_date');
    checkWindow(t, now, opts.window, 'Date header');
  }
  if (coversCreated && parsed.created !== undefined) checkWindow(parsed.created * 1000, now, opts.window, '(created)');
  if (parsed.headers.includes('(expires)')) checkExpires(parsed.expires, now);

  if (opts.body !== undefined) checkBodyDigest('digest', parsed.headers, req.headers, opts.body);
  return parsed;
}
