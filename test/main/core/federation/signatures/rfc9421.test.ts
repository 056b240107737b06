import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkIncomingMessageSignature,
  hasMessageSignature,
  parseMessageSignature,
  signMessage,
  signatureBase,
  verifyMessageSignature,
  type MessageSignableRequest,
} from '../../../../../src/main/core/federation/signatures/rfc9421';
import { SignatureError } from '../../../../../src/main/core/federation/signatures/common';
import { contentDigestHeader } from '../../../../../src/main/core/federation/signatures/digest';
import { DEFAULT_LIMITS } from '../../../../../src/main/core/config';
import { RFC9421_EXAMPLE_BODY, rfc9421ExampleRequest } from '../../../../support/rfc9421Example';

/** The signature window is config's; these tests assert its defaults (12 h old, 1 h ahead). */
const WINDOW = DEFAULT_LIMITS;

/*
 * RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2.6 "Signing a Request
 * Using ed25519" over the Appendix B.2 example request. Ed25519 is
 * deterministic, so the signature must match exactly.
 */
const ED25519_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;
const ED25519_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`;

const B26_SIGNATURE_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE = 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');
const B2_BODY = RFC9421_EXAMPLE_BODY;

const b2Request = (): MessageSignableRequest => rfc9421ExampleRequest(B26_SIGNATURE_INPUT, B26_SIGNATURE);

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).code).toBe(code);
    return;
  }
  throw new Error(`expected SignatureError(${code})`);
}

describe('RFC 9421 B.2.6 (ed25519) test vector', () => {
  it('parses Signature-Input and Signature', () => {
    const parsed = parseMessageSignature(b2Request().headers);
    expect(parsed.label).toBe('sig-b26');
    expect(parsed.components).toEqual(['date', '@method', '@path', '@authority', 'content-type', 'content-length']);
    expect(parsed.params).toEqual({ created: 1618884473, keyid: 'test-key-ed25519' });
    expect(parsed.signatureParams).toBe(
      '("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    );
    expect(parsed.signature.length).toBe(64);
  });

  it('reproduces the signature base exactly', () => {
    const req = b2Request();
    expect(signatureBase(parseMessageSignature(req.headers), req)).toBe(B26_BASE);
  });

  it('verifies the RFC signature (PEM and KeyObject, alg absent → from key type)', async () => {
    const req = b2Request();
    const parsed = parseMessageSignature(req.headers);
    expect(await verifyMessageSignature(parsed, req, ED25519_PUBLIC)).toBe(true);
    expect(await verifyMessageSignature(parsed, req, createPublicKey(ED25519_PUBLIC))).toBe(true);
    expect(await verifyMessageSignature(parsed, req, createPrivateKey(ED25519_PRIVATE))).toBe(true);
    expect(await verifyMessageSignature({ ...parsed, params: { ...parsed.params, alg: 'ed25519' } }, req, ED25519_PUBLIC)).toBe(true);
  });

  it('reproduces the RFC signature when signing with the same components', async () => {
    const headers = await signMessage({
      method: 'POST',
      url: 'http://example.com/foo?param=Value&Pet=dog',
      keyId: 'test-key-ed25519',
      privateKey: createPrivateKey(ED25519_PRIVATE),
      components: ['date', '@method', '@path', '@authority', 'content-type', 'content-length'],
      headers: { date: 'Tue, 20 Apr 2021 02:07:55 GMT', 'content-type': 'application/json', 'content-length': '18' },
      body: B2_BODY,
      now: 1618884473_000,
    });
    // Our signer adds alg="ed25519", so the params (and signature) differ; it must still verify.
    expect(headers['signature-input']).toBe(
      'sig1=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519";alg="ed25519"',
    );
    const req: MessageSignableRequest = { method: 'POST', path: '/foo?param=Value&Pet=dog', headers: { ...headers, host: 'example.com' } };
    expect(await verifyMessageSignature(parseMessageSignature(req.headers), req, ED25519_PUBLIC)).toBe(true);
  });

  it('fails verification when a covered component changes', async () => {
    for (const mutate of [
      (r: MessageSignableRequest) => (r.method = 'PUT'),
      (r: MessageSignableRequest) => (r.path = '/bar'),
      (r: MessageSignableRequest) => (r.headers['host'] = 'evil.example'),
      (r: MessageSignableRequest) => (r.headers['content-length'] = '19'),
      (r: MessageSignableRequest) => (r.headers['date'] = 'Tue, 20 Apr 2021 02:07:56 GMT'),
    ]) {
      const req = b2Request();
      const parsed = parseMessageSignature(req.headers);
      mutate(req);
      expect(await verifyMessageSignature(parsed, req, ED25519_PUBLIC)).toBe(false);
    }
    // The query is not covered (only @path), so changing it keeps the signature valid.
    const req = b2Request();
    const parsed = parseMessageSignature(req.headers);
    req.path = '/foo?other=1';
    expect(await verifyMessageSignature(parsed, req, ED25519_PUBLIC)).toBe(true);
  });

  it('the check rejects it for POST because content-digest is not covered', async () => {
    await expectCode(() => checkIncomingMessageSignature(b2Request(), { window: WINDOW, body: B2_BODY, now: 1618884473_000 }), 'missing_header');
  });
});

describe('signature base components', () => {
  const parsed = (components: string[]) => ({ components, signatureParams: '()' });
  const req: MessageSignableRequest = {
    method: 'POST',
    path: '/path?param=value&foo=bar&baz=batman',
    headers: { host: 'WWW.Example.com:443', 'x-multi': ['  a ', 'b'], 'x-empty': '' },
  };

  it('derives request components (RFC 9421 §2.2 examples)', () => {
    const base = signatureBase(
      parsed(['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', 'x-multi', 'x-empty']),
      req,
    );
    expect(base).toBe(
      [
        '"@method": POST',
        '"@target-uri": https://www.example.com/path?param=value&foo=bar&baz=batman',
        '"@authority": www.example.com',
        '"@scheme": https',
        '"@request-target": /path?param=value&foo=bar&baz=batman',
        '"@path": /path',
        '"@query": ?param=value&foo=bar&baz=batman',
        '"x-multi": a, b',
        '"x-empty": ',
        '"@signature-params": ()',
      ].join('\n'),
    );
  });

  it('uses the given scheme and keeps non-default ports', () => {
    const r: MessageSignableRequest = { method: 'GET', path: '/', headers: { host: 'example.com:8080' }, scheme: 'http' };
    expect(signatureBase(parsed(['@target-uri', '@scheme', '@query']), r)).toBe(
      '"@target-uri": http://example.com:8080/\n"@scheme": http\n"@query": ?\n"@signature-params": ()',
    );
    expect(signatureBase(parsed(['@authority']), { ...r, headers: { host: 'example.com:80' } })).toBe(
      '"@authority": example.com\n"@signature-params": ()',
    );
  });

  it('throws for missing headers and unsupported components', async () => {
    await expectCode(() => signatureBase(parsed(['date']), req), 'missing_header');
    await expectCode(() => signatureBase(parsed(['@status']), req), 'malformed_signature');
    await expectCode(() => signatureBase(parsed(['@method', '@method']), req), 'malformed_signature');
    await expectCode(() => signatureBase(parsed(['@authority']), { ...req, headers: {} }), 'missing_header');
  });
});

describe('parsing', () => {
  const sig = 'sig1=:AAAA:';
  it('detects RFC 9421 headers', () => {
    expect(hasMessageSignature({ 'signature-input': 'sig1=();created=1', signature: sig })).toBe(true);
    expect(hasMessageSignature({ signature: 'keyId="x",signature="AAAA"' })).toBe(false);
    expect(hasMessageSignature({ 'Signature-Input': 'sig1=()', Signature: sig })).toBe(true);
  });

  it('picks the first label, or the given one; multiple header lines are combined', () => {
    const headers = {
      'signature-input': ['a=("@method");created=1;keyid="ka"', 'b=("@path");created=2;keyid="kb";alg="ed25519"'],
      signature: 'b=:AQID:, a=:BAUG:',
    };
    const a = parseMessageSignature(headers);
    expect(a.label).toBe('a');
    expect(a.params.keyid).toBe('ka');
    expect([...a.signature]).toEqual([4, 5, 6]);
    const b = parseMessageSignature(headers, 'b');
    expect(b.components).toEqual(['@path']);
    expect(b.params).toEqual({ created: 2, keyid: 'kb', alg: 'ed25519' });
    expect(b.signatureParams).toBe('("@path");created=2;keyid="kb";alg="ed25519"');
  });

  it('keeps nonce, tag, expires and unescapes strings', () => {
    const p = parseMessageSignature({
      'signature-input': 'sig1=("@method");created=10;expires=20;nonce="n\\"1";tag="t";unknown=?1',
      signature: sig,
    });
    expect(p.params).toEqual({ created: 10, expires: 20, nonce: 'n"1', tag: 't' });
  });

  it('rejects malformed input', async () => {
    const bad: Array<Record<string, string>> = [
      { 'signature-input': 'sig1=("@method"', signature: sig },
      { 'signature-input': 'sig1="@method"', signature: sig },
      { 'signature-input': 'sig1=(@method)', signature: sig },
      { 'signature-input': 'sig1=("@method");created="1"', signature: sig },
      { 'signature-input': 'sig1=("@method");keyid=k', signature: sig },
      { 'signature-input': 'sig1=("@Method")', signature: sig },
      { 'signature-input': 'sig1=("@method" "@method")', signature: sig },
      { 'signature-input': 'sig1=("content-digest";sf)', signature: sig },
      { 'signature-input': 'sig1=("@method")', signature: 'sig1="AAAA"' },
      { 'signature-input': 'sig1=("@method")', signature: 'sig2=:AAAA:' },
      { 'signature-input': 'sig1=("@method")', signature: 'sig1=::' },
      { 'signature-input': 'sig1=("@method"),', signature: sig },
      { 'signature-input': 'Sig1=("@method")', signature: sig },
    ];
    for (const headers of bad) await expectCode(() => parseMessageSignature(headers), 'malformed_signature');
    await expectCode(() => parseMessageSignature({ 'signature-input': 'sig1=()' }), 'missing_signature');
    await expectCode(() => parseMessageSignature({ 'signature-input': 'sig1=()', signature: sig }, 'nope'), 'malformed_signature');
  });
});

describe('RSA round trips', () => {
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  let otherPublic: KeyObject;
  const now = Date.UTC(2025, 0, 1, 12);
  const url = 'https://social.example/users/alice/inbox?x=1';
  const body = JSON.stringify({ type: 'Follow', actor: 'https://remote.example/u/bob' });

  beforeAll(async () => {
    const gen = promisify(generateKeyPair);
    const a = await gen('rsa', { modulusLength: 2048 });
    const b = await gen('rsa', { modulusLength: 2048 });
    privateKey = a.privateKey;
    publicKey = a.publicKey;
    otherPublic = b.publicKey;
  });

  async function signedPost(extra: Partial<Parameters<typeof signMessage>[0]> = {}): Promise<MessageSignableRequest> {
    const headers = await signMessage({ method: 'POST', url, body, keyId: 'https://remote.example/u/bob#main-key', privateKey, now, ...extra });
    return { method: 'POST', path: '/users/alice/inbox?x=1', headers: { ...headers, host: 'social.example' } };
  }

  it('signs POST with @method, @target-uri, content-digest and alg rsa-v1_5-sha256', async () => {
    const req = await signedPost();
    expect(req.headers['signature-input']).toBe(
      `sig1=("@method" "@target-uri" "content-digest");created=${now / 1000};keyid="https://remote.example/u/bob#main-key";alg="rsa-v1_5-sha256"`,
    );
    expect(req.headers['content-digest']).toBe(contentDigestHeader(body));
    expect(req.headers['signature']).toMatch(/^sig1=:[A-Za-z0-9+/]+=*:$/);
    expect(hasMessageSignature(req.headers)).toBe(true);
  });

  it('sign → check → verify', async () => {
    const req = await signedPost();
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now: now + 1000 });
    expect(parsed.params.keyid).toBe('https://remote.example/u/bob#main-key');
    expect(await verifyMessageSignature(parsed, req, publicKey)).toBe(true);
    expect(await verifyMessageSignature(parsed, req, publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(true);
    expect(await verifyMessageSignature(parsed, req, otherPublic)).toBe(false);
  });

  it('verifies with alg absent and an RSA key (rsa-v1_5-sha256)', async () => {
    const req = await signedPost();
    req.headers['signature-input'] = (req.headers['signature-input'] as string).replace(';alg="rsa-v1_5-sha256"', '');
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
    expect(parsed.params.alg).toBeUndefined();
    // The alg parameter is part of the signed base, so removing it breaks the signature...
    expect(await verifyMessageSignature(parsed, req, publicKey)).toBe(false);
    // ...but a signature made without alg verifies.
    const { createSign } = await import('node:crypto');
    const s = createSign('sha256');
    s.update(signatureBase(parsed, { ...req, scheme: 'https' }));
    req.headers['signature'] = `sig1=:${s.sign(privateKey).toString('base64')}:`;
    expect(await verifyMessageSignature(parseMessageSignature(req.headers), req, publicKey)).toBe(true);
  });

  it('GET without body', async () => {
    const headers = await signMessage({ method: 'GET', url: 'https://social.example/users/alice', keyId: 'k', privateKey, now });
    expect(headers['content-digest']).toBeUndefined();
    const req: MessageSignableRequest = { method: 'GET', path: '/users/alice', headers: { ...headers, host: 'social.example' } };
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, now });
    expect(parsed.components).toEqual(['@method', '@target-uri']);
    expect(await verifyMessageSignature(parsed, req, publicKey)).toBe(true);
  });

  it('tampered body or digest fails', async () => {
    const req = await signedPost();
    await expectCode(() => checkIncomingMessageSignature(req, { window: WINDOW, body: `${body} `, now }), 'bad_digest');
    const forged = { ...req, headers: { ...req.headers, 'content-digest': contentDigestHeader(`${body} `) } };
    // The digest now matches the forged body but the signature covers the original digest.
    const parsed = checkIncomingMessageSignature(forged, { window: WINDOW, body: `${body} `, now });
    expect(await verifyMessageSignature(parsed, forged, publicKey)).toBe(false);
    const unknownAlg = { ...req, headers: { ...req.headers, 'content-digest': 'md5=:AAAA:' } };
    await expectCode(() => checkIncomingMessageSignature(unknownAlg, { window: WINDOW, body, now }), 'bad_digest');
    const noDigest = { ...req, headers: { ...req.headers } };
    delete noDigest.headers['content-digest'];
    await expectCode(() => checkIncomingMessageSignature(noDigest, { window: WINDOW, body, now }), 'missing_header');
  });

  it('tampered method, path, authority or scheme fails verification', async () => {
    const req = await signedPost();
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
    expect(await verifyMessageSignature(parsed, { ...req, method: 'PUT' }, publicKey)).toBe(false);
    expect(await verifyMessageSignature(parsed, { ...req, path: '/users/mallory/inbox?x=1' }, publicKey)).toBe(false);
    expect(await verifyMessageSignature(parsed, { ...req, path: '/users/alice/inbox?x=2' }, publicKey)).toBe(false);
    expect(await verifyMessageSignature(parsed, { ...req, headers: { ...req.headers, host: 'other.example' } }, publicKey)).toBe(false);
    expect(await verifyMessageSignature(parsed, { ...req, scheme: 'http' }, publicKey)).toBe(false);
    // Default port and host case are normalised.
    expect(await verifyMessageSignature(parsed, { ...req, headers: { ...req.headers, host: 'Social.Example:443' } }, publicKey)).toBe(true);
  });

  it('tampered signature fails', async () => {
    const req = await signedPost();
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
    const sig = Buffer.from(parsed.signature);
    sig[10] = (sig[10] as number) ^ 1;
    expect(await verifyMessageSignature({ ...parsed, signature: sig }, req, publicKey)).toBe(false);
    expect(await verifyMessageSignature({ ...parsed, signature: Buffer.from('short') }, req, publicKey)).toBe(false);
  });

  it('stale, future and expired signatures are rejected', async () => {
    const req = await signedPost();
    await expectCode(() => checkIncomingMessageSignature(req, { window: WINDOW, body, now: now + 12 * 3_600_000 + 1000 }), 'stale_date');
    expect(() => checkIncomingMessageSignature(req, { window: WINDOW, body, now: now + 11 * 3_600_000 })).not.toThrow();
    await expectCode(() => checkIncomingMessageSignature(req, { body, now: now + 61_000, window: { ...WINDOW, signatureMaxAgeMs: 60_000 } }), 'stale_date');
    await expectCode(() => checkIncomingMessageSignature(req, { window: WINDOW, body, now: now - 3_600_000 - 1000 }), 'future_date');
    await expectCode(() => checkIncomingMessageSignature(req, { body, now: now - 10_000, window: { ...WINDOW, signatureMaxFutureSkewMs: 5_000 } }), 'future_date');
    const expiring = { ...req, headers: { ...req.headers, 'signature-input': `${req.headers['signature-input'] as string};expires=${now / 1000 + 10}` } };
    expect(() => checkIncomingMessageSignature(expiring, { window: WINDOW, body, now: now + 5_000 })).not.toThrow();
    await expectCode(() => checkIncomingMessageSignature(expiring, { window: WINDOW, body, now: now + 11_000 }), 'stale_date');
    const noCreated = {
      ...req,
      headers: { ...req.headers, 'signature-input': (req.headers['signature-input'] as string).replace(/;created=\d+/, '') },
    };
    await expectCode(() => checkIncomingMessageSignature(noCreated, { window: WINDOW, body, now }), 'missing_header');
  });

  it('missing required components are rejected', async () => {
    const cases: Array<[string[], string]> = [
      [['@target-uri', 'content-digest'], 'missing_header'],
      [['@method', 'content-digest'], 'missing_header'],
      [['@method', '@path', 'content-digest'], 'missing_header'],
      [['@method', '@target-uri'], 'missing_header'],
    ];
    for (const [components, code] of cases) {
      const req = await signedPost({ components });
      await expectCode(() => checkIncomingMessageSignature(req, { window: WINDOW, body, now }), code);
    }
    for (const components of [
      ['@method', '@authority', '@path', 'content-digest'],
      ['@method', '@authority', '@request-target', 'content-digest'],
    ]) {
      const req = await signedPost({ components });
      const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
      expect(await verifyMessageSignature(parsed, req, publicKey)).toBe(true);
    }
    // A covered header that is absent.
    const req = await signedPost({ components: ['@method', '@target-uri', 'content-digest', 'date'], headers: { date: 'x' } });
    delete req.headers['date'];
    await expectCode(() => checkIncomingMessageSignature(req, { window: WINDOW, body, now }), 'missing_header');
    await expectCode(() => checkIncomingMessageSignature({ method: 'POST', path: '/', headers: { host: 'a' } }, { window: WINDOW, now }), 'missing_signature');
  });

  it('unsupported alg and key mismatches', async () => {
    const req = await signedPost();
    const hmac = { ...req, headers: { ...req.headers, 'signature-input': (req.headers['signature-input'] as string).replace('rsa-v1_5-sha256', 'hmac-sha256') } };
    await expectCode(() => checkIncomingMessageSignature(hmac, { window: WINDOW, body, now }), 'unsupported_algorithm');
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
    await expectCode(verifyMessageSignature(parsed, req, ED25519_PUBLIC), 'unsupported_algorithm');
    await expectCode(verifyMessageSignature({ ...parsed, params: { ...parsed.params, alg: 'ed25519' } }, req, publicKey), 'unsupported_algorithm');
    await expectCode(verifyMessageSignature(parsed, req, 'not a key'), 'bad_key');
  });

  it('rsa-pss-sha512 round trip', async () => {
    const { privateKey: pssPriv, publicKey: pssPub } = await promisify(generateKeyPair)('rsa-pss', { modulusLength: 2048 });
    const headers = await signMessage({ method: 'POST', url, body, keyId: 'k', privateKey: pssPriv, now });
    expect(headers['signature-input']).toContain('alg="rsa-pss-sha512"');
    const req: MessageSignableRequest = { method: 'POST', path: '/users/alice/inbox?x=1', headers: { ...headers, host: 'social.example' } };
    const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
    expect(await verifyMessageSignature(parsed, req, pssPub)).toBe(true);
    expect(await verifyMessageSignature(parsed, { ...req, path: '/other' }, pssPub)).toBe(false);
    // An rsa-pss key does not do rsa-v1_5-sha256.
    await expectCode(verifyMessageSignature({ ...parsed, params: { ...parsed.params, alg: 'rsa-v1_5-sha256' } }, req, pssPub), 'unsupported_algorithm');
    // alg="rsa-pss-sha512" also verifies with a plain RSA key (PSS padding, 64-byte salt).
    const { sign, constants } = await import('node:crypto');
    const p2 = parseMessageSignature(req.headers, 'sig1');
    const pssSig = sign('sha512', Buffer.from(signatureBase(p2, req)), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    expect(await verifyMessageSignature({ ...p2, signature: pssSig }, req, publicKey)).toBe(true);
  });

  it('ed25519 and ecdsa-p256 round trips', async () => {
    const ed = await promisify(generateKeyPair)('ed25519');
    const ec = await promisify(generateKeyPair)('ec', { namedCurve: 'P-256' });
    for (const [pair, alg] of [
      [ed, 'ed25519'],
      [ec, 'ecdsa-p256-sha256'],
    ] as const) {
      const headers = await signMessage({ method: 'POST', url, body, keyId: 'k', privateKey: pair.privateKey, now });
      expect(headers['signature-input']).toContain(`alg="${alg}"`);
      const req: MessageSignableRequest = { method: 'POST', path: '/users/alice/inbox?x=1', headers: { ...headers, host: 'social.example' } };
      const parsed = checkIncomingMessageSignature(req, { window: WINDOW, body, now });
      expect(await verifyMessageSignature(parsed, req, pair.publicKey)).toBe(true);
      expect(await verifyMessageSignature(parsed, { ...req, method: 'PUT' }, pair.publicKey)).toBe(false);
    }
  });
});
