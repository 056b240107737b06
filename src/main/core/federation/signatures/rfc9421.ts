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
 * signMessage signs outgoing requests (outgoing.ts chooses it or draft-cavage per host).
 */
import { constants as cryptoConstants, type KeyObject } from 'node:crypto';
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
  type CryptoKey,
  type SignableRequest,
  type SignatureWindow,
} from './common';
import { checkBodyDigest, contentDigestHeader } from './digest';
import { isKey, parseDictionary, serializeString, StructuredFieldError } from './structuredFields';

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

/** The structured-field helpers, with their syntax errors reported as malformed signatures. */
function sf<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StructuredFieldError) throw malformed(err.message);
    throw err;
  }
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
  const inputs = sf(() => parseDictionary(inputRaw));
  const sigs = sf(() => parseDictionary(sigRaw));

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

type Target = ReturnType<typeof splitTarget>;

/** A component's value; `target` splits the request's target once for all derived components. */
function componentValue(name: string, req: MessageSignableRequest, target: () => Target): string {
  if (name.startsWith('@')) {
    const t = target();
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
  let split: Target | undefined;
  const target = () => (split ??= splitTarget(req));
  for (const name of parsed.components) {
    if (seen.has(name)) throw malformed(`component ${name} is covered twice`);
    seen.add(name);
    if (name === '@signature-params') throw malformed('@signature-params cannot be covered');
    const value = componentValue(name, req, target);
    if (/[\r\n]/.test(value)) throw malformed(`component ${name} contains a newline`);
    lines.push(`"${name}": ${value}`);
  }
  lines.push(`"@signature-params": ${parsed.signatureParams}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Incoming checks

export interface MessageSignatureCheckOptions {
  body?: Uint8Array | string;
  /** epoch ms, default Date.now() */
  now?: number;
  /** How old / how far ahead created (or a covered Date) may be: InstanceLimits' window. */
  window: SignatureWindow;
  /** signature label to check; default the first in Signature-Input */
  label?: string;
}

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
export function checkIncomingMessageSignature(req: MessageSignableRequest, opts: MessageSignatureCheckOptions): Rfc9421Parsed {
  const now = opts.now ?? Date.now();

  if (!hasMessageSignature(req.headers)) throw new SignatureError('no Signature-Input/Signature headers', 'missing_signature');
  const parsed = parseMessageSignature(req.headers, opts.label);
  assertAlgorithm(parsed.params.alg);

  if (!parsed.components.includes('@method')) throw new SignatureError('signature does not cover @method', 'missing_header');
  if (!coversTarget(parsed.components)) {
    throw new SignatureError('signature does not cover the target (@target-uri, or @authority and @path)', 'missing_header');
  }
  if (needsDigest(req.method, opts.body) && !parsed.components.includes('content-digest')) {
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
  checkWindow(createdMs, now, opts.window, 'signature');
  checkExpires(parsed.params.expires, now);

  if (opts.body !== undefined) checkBodyDigest('content-digest', parsed.components, req.headers, opts.body);
  return parsed;
}

// ---------------------------------------------------------------------------
// Crypto

interface AlgSpec {
  hash: string | null;
  key: CryptoKey;
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
  const { spec } = algSpec(parsed.params.alg, loadPublicKey(publicKey));
  const data = Buffer.from(signatureBase(parsed, req), 'utf8');
  return verifyAsync(spec.hash, data, spec.key, parsed.signature);
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
  /** An algorithm the key can make (an Accept-Signature hint); default from the key type. */
  alg?: string;
  /** The body's Content-Digest when already computed (once per activity, not per inbox). */
  contentDigest?: string;
}

/**
 * Signs a request. Returns the headers to add (lower-case names):
 * "signature-input", "signature" and, for a body (a missing body of a
 * POST/PUT/PATCH counts as empty), "content-digest" (sha-256), plus the given
 * extra headers. The alg parameter is `alg` when given (it must fit the key), else it
 * follows the key type (RSA → rsa-v1_5-sha256, rsa-pss → rsa-pss-sha512, ed25519, EC
 * P-256/P-384).
 */
export async function signMessage(input: MessageSignInput): Promise<Record<string, string>> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  assertPrivateKey(input.privateKey);
  const key = input.privateKey;
  const keyType = key.asymmetricKeyType;
  const alg = input.alg ?? (
    keyType === 'ec'
      ? ecCurve(key) === 'secp384r1'
        ? 'ecdsa-p384-sha384'
        : 'ecdsa-p256-sha256'
      : undefined);
  const { alg: effective, spec } = algSpec(alg, key);
  const label = input.label ?? 'sig1';
  if (!isKey(label)) throw malformed(`bad label ${label}`);

  const method = input.method.toUpperCase();
  const out = lowerCaseHeaders(input.headers);
  const body = bodyToSign(method, input.body);
  if (body !== undefined) out['content-digest'] = input.contentDigest ?? contentDigestHeader(body);
  delete out['signature'];
  delete out['signature-input'];

  const components = input.components ?? (body !== undefined ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri']);
  const created = Math.floor((input.now ?? Date.now()) / 1000);
  const signatureParams =
    `(${components.map((c) => sf(() => serializeString(c))).join(' ')})` +
    `;created=${created};keyid=${sf(() => serializeString(input.keyId))};alg=${serializeString(effective)}`;

  const req: MessageSignableRequest = {
    method,
    path: `${url.pathname}${url.search}`,
    headers: { ...out, host: url.host },
    scheme: url.protocol.replace(/:$/, ''),
  };
  const data = Buffer.from(signatureBase({ components, signatureParams }, req), 'utf8');
  const sig = await signAsync(spec.hash, data, spec.key);
  out['signature-input'] = `${label}=${signatureParams}`;
  out['signature'] = `${label}=:${sig.toString('base64')}:`;
  return out;
}
