/**
 * HTTP Message Signatures (RFC 9421) for requests, as newer ActivityPub servers
 * (Mastodon 4.5+, Fedify) send them: Signature-Input / Signature structured
 * fields (RFC 8941 dictionaries) and a Content-Digest (RFC 9530) for the body.
 *
 * Supported algorithms: "rsa-v1_5-sha256" (also when alg is absent and the key
 * is RSA), "rsa-pss-sha512", "ecdsa-p256-sha256", "ecdsa-p384-sha384" and
 * "ed25519". Component identifiers with parameters (";sf", ";key", ";bs",
 * ";req", "@query-param";name=...) are not supported and are rejected as
 * malformed; so is the response-only "@status".
 *
 * Only node:crypto is used; signing and verification use the callback forms of
 * crypto.sign / crypto.verify (libuv threadpool for RSA).
 */
import {
  constants as cryptoConstants,
  createHash,
  createPublicKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { SignatureError, headerValue, type SignableRequest } from './httpSignature';

export interface Rfc9421Parsed {
  /** the dictionary key in Signature-Input / Signature, e.g. "sig1" */
  label: string;
  /** covered component identifiers in order, e.g. ["@method", "@target-uri", "content-digest"] */
  components: string[];
  params: { keyid?: string; alg?: string; created?: number; expires?: number; nonce?: string; tag?: string };
  /** the serialized inner list exactly as in Signature-Input, e.g. `("@method" "@target-uri");created=1;keyid="k"` */
  signatureParams: string;
  signature: Buffer;
}

export type MessageSignableRequest = SignableRequest & {
  /** "https" (default: our public server sits behind a TLS tunnel/proxy) or "http" */
  scheme?: string;
};

function malformed(message: string): SignatureError {
  return new SignatureError(message, 'malformed_signature');
}

function toBuffer(body: Uint8Array | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

// ---------------------------------------------------------------------------
// RFC 8941 structured fields (the subset needed: dictionaries, inner lists,
// parameters, and all bare item types)

type BareItem =
  | { t: 'string'; v: string }
  | { t: 'token'; v: string }
  | { t: 'integer'; v: number }
  | { t: 'decimal'; v: number }
  | { t: 'bytes'; v: Buffer }
  | { t: 'boolean'; v: boolean };

interface SfItem {
  value: BareItem;
  params: Map<string, BareItem>;
}

type SfMember =
  | { kind: 'item'; item: SfItem; raw: string }
  | { kind: 'list'; items: SfItem[]; params: Map<string, BareItem>; raw: string };

const NUMBER_RE = /-?\d{1,15}(\.\d{1,3})?/y;
const TOKEN_RE = /[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/y;
const KEY_RE = /[a-z*][a-z0-9_\-.*]*/y;
const BYTES_RE = /:([A-Za-z0-9+/]*=*):/y;

class SfParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(what: string): never {
    throw malformed(`structured field: ${what} at ${this.i}`);
  }

  private skipSp(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private skipOws(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (m) this.i += m[0].length;
    return m;
  }

  private key(): string {
    const m = this.match(KEY_RE);
    if (!m) this.fail('expected a key');
    return m[0];
  }

  private bareItem(): BareItem {
    const c = this.s[this.i];
    if (c === undefined) this.fail('expected an item');
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = this.match(NUMBER_RE);
      if (!m) this.fail('bad number');
      return m[1] === undefined ? { t: 'integer', v: Number(m[0]) } : { t: 'decimal', v: Number(m[0]) };
    }
    if (c === '"') {
      this.i++;
      let out = '';
      for (;;) {
        const ch = this.s[this.i++];
        if (ch === undefined) this.fail('unterminated string');
        if (ch === '"') return { t: 'string', v: out };
        if (ch === '\\') {
          const next = this.s[this.i++];
          if (next !== '"' && next !== '\\') this.fail('bad escape in string');
          out += next;
          continue;
        }
        const code = ch.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('bad character in string');
        out += ch;
      }
    }
    if (c === ':') {
      const m = this.match(BYTES_RE);
      if (!m) this.fail('bad byte sequence');
      return { t: 'bytes', v: Buffer.from(m[1] ?? '', 'base64') };
    }
    if (c === '?') {
      const b = this.s[this.i + 1];
      if (b !== '0' && b !== '1') this.fail('bad boolean');
      this.i += 2;
      return { t: 'boolean', v: b === '1' };
    }
    const m = this.match(TOKEN_RE);
    if (!m) this.fail(`unexpected character ${JSON.stringify(c)}`);
    return { t: 'token', v: m[0] };
  }

  private params(): Map<string, BareItem> {
    const out = new Map<string, BareItem>();
    while (this.s[this.i] === ';') {
      this.i++;
      this.skipSp();
      const k = this.key();
      let v: BareItem = { t: 'boolean', v: true };
      if (this.s[this.i] === '=') {
        this.i++;
        v = this.bareItem();
      }
      out.set(k, v);
    }
    return out;
  }

  private item(): SfItem {
    const value = this.bareItem();
    return { value, params: this.params() };
  }

  private member(): SfMember {
    const start = this.i;
    if (this.s[this.i] === '(') {
      this.i++;
      const items: SfItem[] = [];
      for (;;) {
        this.skipSp();
        if (this.s[this.i] === ')') {
          this.i++;
          break;
        }
        items.push(this.item());
        const c = this.s[this.i];
        if (c !== ' ' && c !== ')') this.fail('expected " " or ")" in inner list');
      }
      const params = this.params();
      return { kind: 'list', items, params, raw: this.s.slice(start, this.i) };
    }
    const item = this.item();
    return { kind: 'item', item, raw: this.s.slice(start, this.i) };
  }

  /** Parses the whole string as a dictionary; members keep their order (a repeated key keeps its first position, last value). */
  dictionary(): Map<string, SfMember> {
    const out = new Map<string, SfMember>();
    this.skipOws();
    if (this.i >= this.s.length) this.fail('empty dictionary');
    for (;;) {
      const k = this.key();
      let m: SfMember;
      if (this.s[this.i] === '=') {
        this.i++;
        m = this.member();
      } else {
        const start = this.i;
        const params = this.params();
        m = { kind: 'item', item: { value: { t: 'boolean', v: true }, params }, raw: this.s.slice(start, this.i) };
      }
      out.set(k, m);
      this.skipOws();
      if (this.i >= this.s.length) return out;
      if (this.s[this.i] !== ',') this.fail('expected ","');
      this.i++;
      this.skipOws();
      if (this.i >= this.s.length) this.fail('trailing comma');
    }
  }
}

function parseDictionary(value: string): Map<string, SfMember> {
  return new SfParser(value).dictionary();
}

function serializeString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw malformed('string must be printable ASCII');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// ---------------------------------------------------------------------------
// Parsing Signature-Input / Signature

/** True if the request carries RFC 9421 headers (Signature-Input + Signature). */
export function hasMessageSignature(headers: SignableRequest['headers']): boolean {
  const input = headerValue(headers, 'signature-input');
  const sig = headerValue(headers, 'signature');
  return input !== undefined && input !== '' && sig !== undefined && sig !== '';
}

const STRING_PARAMS = ['keyid', 'alg', 'nonce', 'tag'] as const;
const INTEGER_PARAMS = ['created', 'expires'] as const;

/**
 * Parses Signature-Input and Signature (RFC 8941 dictionaries) and returns the
 * signature with the given label, or the first label of Signature-Input.
 * Throws SignatureError('missing_signature') when either header is absent and
 * SignatureError('malformed_signature') for anything unparseable, a label
 * missing from either header, or component identifiers with parameters.
 */
export function parseMessageSignature(headers: SignableRequest['headers'], label?: string): Rfc9421Parsed {
  const inputRaw = headerValue(headers, 'signature-input');
  const sigRaw = headerValue(headers, 'signature');
  if (inputRaw === undefined || inputRaw === '') throw new SignatureError('no Signature-Input header', 'missing_signature');
  if (sigRaw === undefined || sigRaw === '') throw new SignatureError('no Signature header', 'missing_signature');
  const inputs = parseDictionary(inputRaw);
  const sigs = parseDictionary(sigRaw);

  const chosen = label ?? inputs.keys().next().value;
  if (chosen === undefined) throw malformed('Signature-Input is empty');
  const input = inputs.get(chosen);
  if (input === undefined) throw malformed(`Signature-Input has no label ${chosen}`);
  const sigMember = sigs.get(chosen);
  if (sigMember === undefined) throw malformed(`Signature has no label ${chosen}`);

  if (input.kind !== 'list') throw malformed('Signature-Input member is not an inner list');
  const components: string[] = [];
  for (const item of input.items) {
    if (item.value.t !== 'string') throw malformed('component identifiers must be strings');
    if (item.params.size > 0) throw malformed(`component parameters are not supported (${item.value.v})`);
    const name = item.value.v;
    if (name === '' || name !== name.toLowerCase()) throw malformed(`bad component identifier ${JSON.stringify(name)}`);
    if (components.includes(name)) throw malformed(`component ${name} is covered twice`);
    components.push(name);
  }

  const params: Rfc9421Parsed['params'] = {};
  for (const k of STRING_PARAMS) {
    const v = input.params.get(k);
    if (v === undefined) continue;
    if (v.t !== 'string') throw malformed(`${k} parameter must be a string`);
    params[k] = v.v;
  }
  for (const k of INTEGER_PARAMS) {
    const v = input.params.get(k);
    if (v === undefined) continue;
    if (v.t !== 'integer') throw malformed(`${k} parameter must be an integer`);
    params[k] = v.v;
  }

  if (sigMember.kind !== 'item' || sigMember.item.value.t !== 'bytes') throw malformed('Signature member is not a byte sequence');
  const signature = sigMember.item.value.v;
  if (signature.length === 0) throw malformed('signature is empty');

  return { label: chosen, components, params, signatureParams: input.raw.trim(), signature };
}

// ---------------------------------------------------------------------------
// Signature base (RFC 9421 §2.5)

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

function splitTarget(req: MessageSignableRequest): { scheme: string; authority: string; path: string; query: string | undefined } {
  let scheme = (req.scheme ?? 'https').toLowerCase();
  let authority: string | undefined;
  let target = req.path;
  const abs = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(target);
  if (abs) {
    scheme = (abs[1] as string).toLowerCase();
    authority = abs[2] as string;
    target = abs[3] as string;
  }
  authority ??= headerValue(req.headers, 'host') ?? headerValue(req.headers, ':authority');
  if (authority === undefined || authority === '') throw new SignatureError('no Host header', 'missing_header');
  authority = authority.toLowerCase();
  const port = DEFAULT_PORTS[scheme];
  if (port !== undefined && authority.endsWith(`:${port}`)) authority = authority.slice(0, -(port.length + 1));
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  let path = q >= 0 ? target.slice(0, q) : target;
  if (path === '') path = '/';
  return { scheme, authority, path, query: q >= 0 ? target.slice(q + 1) : undefined };
}

function componentValue(name: string, req: MessageSignableRequest): string {
  if (name.startsWith('@')) {
    const t = splitTarget(req);
    switch (name) {
      case '@method':
        return req.method;
      case '@target-uri':
        return `${t.scheme}://${t.authority}${t.path}${t.query === undefined ? '' : `?${t.query}`}`;
      case '@authority':
        return t.authority;
      case '@scheme':
        return t.scheme;
      case '@request-target':
        return `${t.path}${t.query === undefined ? '' : `?${t.query}`}`;
      case '@path':
        return t.path;
      case '@query':
        return `?${t.query ?? ''}`;
      default:
        throw malformed(`derived component ${name} is not supported for requests`);
    }
  }
  const v = headerValue(req.headers, name);
  if (v === undefined) throw new SignatureError(`header ${name} is missing`, 'missing_header');
  return v;
}

/**
 * The signature base (RFC 9421 §2.5): one `"name": value` line per covered
 * component, then the `"@signature-params"` line (no trailing newline). Throws
 * SignatureError('missing_header') if a covered header (or the Host header for
 * authority-based components) is absent, 'malformed_signature' for unsupported
 * components.
 */
export function signatureBase(parsed: Pick<Rfc9421Parsed, 'components' | 'signatureParams'>, req: MessageSignableRequest): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const name of parsed.components) {
    if (seen.has(name)) throw malformed(`component ${name} is covered twice`);
    seen.add(name);
    if (name === '@signature-params') throw malformed('@signature-params cannot be covered');
    const value = componentValue(name, req);
    if (/[\r\n]/.test(value)) throw malformed(`component ${name} contains a newline`);
    lines.push(`"${name}": ${value}`);
  }
  lines.push(`"@signature-params": ${parsed.signatureParams}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Content-Digest (RFC 9530)

const DIGEST_ALGORITHMS: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/** `sha-256=:<base64>:` (or sha-512) of the body. */
export function contentDigestHeader(body: Uint8Array | string, algorithm: 'sha-256' | 'sha-512' = 'sha-256'): string {
  const alg = DIGEST_ALGORITHMS[algorithm] as string;
  return `${algorithm}=:${createHash(alg).update(toBuffer(body)).digest('base64')}:`;
}

/**
 * True if the Content-Digest value holds at least one sha-256/sha-512 entry
 * and every such entry matches the body (other algorithms are ignored; an
 * unparseable header gives false).
 */
export function contentDigestMatches(headerValueStr: string, body: Uint8Array | string): boolean {
  let dict: Map<string, SfMember>;
  try {
    dict = parseDictionary(headerValueStr);
  } catch {
    return false;
  }
  const data = toBuffer(body);
  let known = 0;
  for (const [name, member] of dict) {
    const alg = DIGEST_ALGORITHMS[name];
    if (alg === undefined) continue;
    if (member.kind !== 'item' || member.item.value.t !== 'bytes') return false;
    known++;
    const expected = createHash(alg).update(data).digest();
    const given = member.item.value.v;
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  }
  return known > 0;
}

// ---------------------------------------------------------------------------
// Incoming checks

export interface MessageSignatureCheckOptions {
  body?: Uint8Array | string;
  /** epoch ms, default Date.now() */
  now?: number;
  /** default 12 h */
  maxAgeMs?: number;
  /** default 1 h (created in the future) */
  maxFutureSkewMs?: number;
  /** signature label to check; default the first in Signature-Input */
  label?: string;
}

const HOUR = 3_600_000;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const SUPPORTED_ALGS = new Set(['rsa-v1_5-sha256', 'rsa-pss-sha512', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ed25519']);

function assertAlgorithm(alg: string | undefined): void {
  if (alg !== undefined && !SUPPORTED_ALGS.has(alg)) {
    throw new SignatureError(`algorithm ${alg} is not supported`, 'unsupported_algorithm');
  }
}

function coversTarget(components: readonly string[]): boolean {
  return (
    components.includes('@target-uri') ||
    (components.includes('@authority') && (components.includes('@path') || components.includes('@request-target')))
  );
}

/**
 * Pre-key checks for an incoming RFC 9421 request: parses the signature,
 * checks the alg (if given) is one we can verify, the created/expires window
 * (created is required unless a covered Date header stands in), that
 * "@method" and the target ("@target-uri", or "@authority" with "@path" /
 * "@request-target") are covered, and "content-digest" too for POST/PUT/PATCH
 * or a non-empty body; that every covered component is present; and, when a
 * body is given, that Content-Digest matches it. Returns the parsed signature.
 * Does not verify the cryptographic signature.
 */
export function checkIncomingMessageSignature(req: MessageSignableRequest, opts: MessageSignatureCheckOptions = {}): Rfc9421Parsed {
  const now = opts.now ?? Date.now();
  const maxAge = opts.maxAgeMs ?? 12 * HOUR;
  const maxFuture = opts.maxFutureSkewMs ?? HOUR;

  if (!hasMessageSignature(req.headers)) throw new SignatureError('no Signature-Input/Signature headers', 'missing_signature');
  const parsed = parseMessageSignature(req.headers, opts.label);
  assertAlgorithm(parsed.params.alg);

  const method = req.method.toUpperCase();
  const hasBody = opts.body !== undefined && toBuffer(opts.body).length > 0;
  if (!parsed.components.includes('@method')) throw new SignatureError('signature does not cover @method', 'missing_header');
  if (!coversTarget(parsed.components)) {
    throw new SignatureError('signature does not cover the target (@target-uri, or @authority and @path)', 'missing_header');
  }
  if ((BODY_METHODS.has(method) || hasBody) && !parsed.components.includes('content-digest')) {
    throw new SignatureError('signature does not cover content-digest', 'missing_header');
  }
  // Throws missing_header if a covered component is absent.
  signatureBase(parsed, req);

  let createdMs: number | undefined;
  if (parsed.params.created !== undefined) {
    createdMs = parsed.params.created * 1000;
  } else if (parsed.components.includes('date')) {
    const t = Date.parse(headerValue(req.headers, 'date') ?? '');
    if (Number.isNaN(t)) throw new SignatureError('unparseable Date header', 'stale_date');
    createdMs = t;
  } else {
    throw new SignatureError('signature has no created parameter (and does not cover date)', 'missing_header');
  }
  if (now - createdMs > maxAge) throw new SignatureError('signature is too old', 'stale_date');
  if (createdMs - now > maxFuture) throw new SignatureError('signature is created in the future', 'future_date');
  if (parsed.params.expires !== undefined && parsed.params.expires * 1000 < now) {
    throw new SignatureError('signature has expired', 'stale_date');
  }

  if (opts.body !== undefined) {
    if (!parsed.components.includes('content-digest')) throw new SignatureError('signature does not cover content-digest', 'missing_header');
    const digest = headerValue(req.headers, 'content-digest');
    if (digest === undefined) throw new SignatureError('no Content-Digest header', 'missing_header');
    if (!contentDigestMatches(digest, opts.body)) throw new SignatureError('Content-Digest does not match the body', 'bad_digest');
  }
  return parsed;
}

// ---------------------------------------------------------------------------
// Crypto

type VerifyKey = KeyObject | { key: KeyObject; padding: number; saltLength: number } | { key: KeyObject; dsaEncoding: 'ieee-p1363' };

interface AlgSpec {
  hash: string | null;
  key: VerifyKey;
}

function ecCurve(key: KeyObject): string | undefined {
  return key.asymmetricKeyDetails?.namedCurve;
}

/** Resolves the effective algorithm for a key and returns how to call crypto.sign/verify. */
function algSpec(alg: string | undefined, key: KeyObject): { alg: string; spec: AlgSpec } {
  const type = key.asymmetricKeyType;
  const effective = alg ?? (type === 'rsa' ? 'rsa-v1_5-sha256' : type === 'rsa-pss' ? 'rsa-pss-sha512' : type === 'ed25519' ? 'ed25519' : undefined);
  const mismatch = (): never => {
    throw new SignatureError(`key type ${type ?? key.type} does not fit algorithm ${effective ?? '(none)'}`, 'unsupported_algorithm');
  };
  switch (effective) {
    case 'rsa-v1_5-sha256':
      if (type !== 'rsa') mismatch();
      return { alg: effective, spec: { hash: 'sha256', key } };
    case 'rsa-pss-sha512':
      if (type !== 'rsa' && type !== 'rsa-pss') mismatch();
      return { alg: effective, spec: { hash: 'sha512', key: { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 64 } } };
    case 'ecdsa-p256-sha256':
      if (type !== 'ec' || ecCurve(key) !== 'prime256v1') mismatch();
      return { alg: effective, spec: { hash: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } } };
    case 'ecdsa-p384-sha384':
      if (type !== 'ec' || ecCurve(key) !== 'secp384r1') mismatch();
      return { alg: effective, spec: { hash: 'sha384', key: { key, dsaEncoding: 'ieee-p1363' } } };
    case 'ed25519':
      if (type !== 'ed25519') mismatch();
      return { alg: effective, spec: { hash: null, key } };
    default:
      if (effective === undefined) mismatch();
      throw new SignatureError(`algorithm ${effective} is not supported`, 'unsupported_algorithm');
  }
}

function verifyAsync(spec: AlgSpec, data: Buffer, sig: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify(spec.hash, data, spec.key, sig, (err, ok) => resolve(err ? false : ok));
    } catch {
      resolve(false);
    }
  });
}

function signAsync(spec: AlgSpec, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    cryptoSign(spec.hash, data, spec.key, (err, sig) => (err ? reject(err) : resolve(sig)));
  });
}

/**
 * Verifies parsed.signature over the signature base of req with publicKey
 * (PEM string or KeyObject; a private key is reduced to its public half).
 * The algorithm is parsed.params.alg, or derived from the key type when absent
 * (RSA → rsa-v1_5-sha256). Resolves true/false. Throws SignatureError
 * 'bad_key' for an unreadable key, 'unsupported_algorithm' for an unknown alg
 * or a key of the wrong type, 'missing_header' if a covered header is absent.
 */
export async function verifyMessageSignature(
  parsed: Rfc9421Parsed,
  req: MessageSignableRequest,
  publicKey: KeyObject | string,
): Promise<boolean> {
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  } catch (err) {
    throw new SignatureError(`cannot read public key: ${(err as Error).message}`, 'bad_key');
  }
  if (key.type !== 'public') throw new SignatureError('an asymmetric public key is needed', 'unsupported_algorithm');
  const { spec } = algSpec(parsed.params.alg, key);
  const data = Buffer.from(signatureBase(parsed, req), 'utf8');
  return verifyAsync(spec, data, parsed.signature);
}

export interface MessageSignInput {
  method: string;
  url: string | URL;
  body?: Uint8Array | string;
  keyId: string;
  privateKey: KeyObject;
  /** default ["@method", "@target-uri"] plus "content-digest" with a body (or for POST/PUT/PATCH) */
  components?: string[];
  /** epoch ms, default Date.now() */
  now?: number;
  /** extra headers (lower-case names) to send; covered header components take their values from here */
  headers?: Record<string, string>;
  /** default "sig1" */
  label?: string;
}

/**
 * Signs a request. Returns the headers to add (lower-case names):
 * "signature-input", "signature" and, for a body (a missing body of a
 * POST/PUT/PATCH counts as empty), "content-digest" (sha-256), plus the given
 * extra headers. The alg parameter follows the key type (RSA →
 * rsa-v1_5-sha256, rsa-pss → rsa-pss-sha512, ed25519, EC P-256/P-384).
 */
export async function signMessage(input: MessageSignInput): Promise<Record<string, string>> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  if (input.privateKey.type !== 'private') throw new SignatureError('a private key is needed to sign', 'bad_key');
  const key = input.privateKey;
  const keyType = key.asymmetricKeyType;
  const alg =
    keyType === 'ec'
      ? ecCurve(key) === 'secp384r1'
        ? 'ecdsa-p384-sha384'
        : 'ecdsa-p256-sha256'
      : undefined;
  const { alg: effective, spec } = algSpec(alg, key);
  const label = input.label ?? 'sig1';
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(label)) throw malformed(`bad label ${label}`);

  const method = input.method.toUpperCase();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) out[k.toLowerCase()] = v;
  const body = input.body ?? (BODY_METHODS.has(method) ? '' : undefined);
  if (body !== undefined) out['content-digest'] = contentDigestHeader(body);
  delete out['signature'];
  delete out['signature-input'];

  const components = input.components ?? (body !== undefined ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri']);
  const created = Math.floor((input.now ?? Date.now()) / 1000);
  const signatureParams =
    `(${components.map((c) => serializeString(c)).join(' ')})` +
    `;created=${created};keyid=${serializeString(input.keyId)};alg=${serializeString(effective)}`;

  const req: MessageSignableRequest = {
    method,
    path: `${url.pathname}${url.search}`,
    headers: { ...out, host: url.host },
    scheme: url.protocol.replace(/:$/, ''),
  };
  const data = Buffer.from(signatureBase({ components, signatureParams }, req), 'utf8');
  const sig = await signAsync(spec, data);
  out['signature-input'] = `${label}=${signatureParams}`;
  out['signature'] = `${label}=:${sig.toString('base64')}:`;
  return out;
}
