import { createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkIncomingRequest,
  parseSignatureHeader,
  signRequest,
  signingString,
  verifyParsedSignature,
} from '../../../../../src/main/core/federation/signatures/cavage';
import { SignatureError, type SignableRequest } from '../../../../../src/main/core/federation/signatures/common';
import { digestHeader, digestMatches } from '../../../../../src/main/core/federation/signatures/digest';
import { DEFAULT_LIMITS } from '../../../../../src/main/core/config';

/** The signature window is config's; these tests assert its defaults (12 h old, 1 h ahead). */
const WINDOW = DEFAULT_LIMITS;

/*
 * draft-cavage-http-signatures Appendix C test values (identical in drafts 09–12;
 * the draft-12 C.3 header wrongly lists (created)/(expires), so the headers list
 * used here is the one the published signature was actually computed over, as
 * verified by e.g. ryanwinchester/http_sign test/fixtures/test_data.ex and other
 * implementations).
 */
const TEST_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----`;

const TEST_PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----`;

const VECTOR_BODY = '{"hello": "world"}';
const VECTOR_DATE = 'Sun, 05 Jan 2014 21:31:40 GMT';
const VECTOR_NOW = Date.parse(VECTOR_DATE);

function vectorRequest(): SignableRequest {
  return {
    method: 'POST',
    path: '/foo?param=value&pet=dog',
    headers: {
      host: 'example.com',
      date: VECTOR_DATE,
      'content-type': 'application/json',
      digest: 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      'content-length': '18',
    },
  };
}

const DEFAULT_SIG =
  'SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=';
const BASIC_SIG =
  'qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=';
const ALL_SIG =
  'vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=';

const BASIC_STRING = [
  '(request-target): post /foo?param=value&pet=dog',
  'host: example.com',
  'date: Sun, 05 Jan 2014 21:31:40 GMT',
].join('\n');
const ALL_STRING = [
  '(request-target): post /foo?param=value&pet=dog',
  'host: example.com',
  'date: Sun, 05 Jan 2014 21:31:40 GMT',
  'content-type: application/json',
  'digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
  'content-length: 18',
].join('\n');

const BASIC_HEADER = `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="${BASIC_SIG}"`;
const ALL_HEADER = `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="${ALL_SIG}"`;

/** Replaces one base64 character so the signature decodes to different bytes. */
function tamperBase64(sig: string): string {
  const i = 10;
  const c = sig[i] === 'A' ? 'B' : 'A';
  return sig.slice(0, i) + c + sig.slice(i + 1);
}

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof SignatureError) return err.code;
    throw err;
  }
  return undefined;
}

describe('draft-cavage Appendix C test values', () => {
  const privateKey = createPrivateKey(TEST_PRIVATE_KEY);

  it('the example Digest is digestHeader of the body', () => {
    expect(digestHeader(VECTOR_BODY)).toBe('SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=');
    expect(digestMatches('SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', VECTOR_BODY)).toBe(true);
  });

  it('builds the published signing strings', () => {
    const req = vectorRequest();
    expect(signingString(['date'], req)).toBe('date: Sun, 05 Jan 2014 21:31:40 GMT');
    expect(signingString(['(request-target)', 'host', 'date'], req)).toBe(BASIC_STRING);
    expect(
      signingString(['(request-target)', 'host', 'date', 'content-type', 'digest', 'content-length'], req),
    ).toBe(ALL_STRING);
  });

  it('RSA-SHA256 with the appendix key yields the published signatures', () => {
    const s = (data: string) => sign('sha256', Buffer.from(data), privateKey).toString('base64');
    expect(s('date: Sun, 05 Jan 2014 21:31:40 GMT')).toBe(DEFAULT_SIG);
    expect(s(BASIC_STRING)).toBe(BASIC_SIG);
    expect(s(ALL_STRING)).toBe(ALL_SIG);
  });

  it('parses and verifies the Default Test (headers default to date)', async () => {
    const parsed = parseSignatureHeader(`keyId="Test",algorithm="rsa-sha256",signature="${DEFAULT_SIG}"`);
    expect(parsed.headers).toEqual(['date']);
    expect(await verifyParsedSignature(parsed, vectorRequest(), TEST_PUBLIC_KEY)).toBe(true);
  });

  it('reads escaped characters in quoted values, and refuses an unterminated one', () => {
    const parsed = parseSignatureHeader(`keyId="https://a.example/k\\"1\\\\x",headers="date",signature="${DEFAULT_SIG}"`);
    expect(parsed.keyId).toBe('https://a.example/k"1\\x');
    expect(parsed.signature.toString('base64')).toBe(DEFAULT_SIG);
    expect(() => parseSignatureHeader(`keyId="Test",signature="${DEFAULT_SIG}`)).toThrow(/unterminated/);
    expect(() => parseSignatureHeader(`keyId="Test\\",signature="${DEFAULT_SIG}"`)).toThrow();
  });

  it('parses and verifies the Basic Test header', async () => {
    const parsed = parseSignatureHeader(BASIC_HEADER);
    expect(parsed.keyId).toBe('Test');
    expect(parsed.algorithm).toBe('rsa-sha256');
    expect(parsed.headers).toEqual(['(request-target)', 'host', 'date']);
    expect(parsed.signature.toString('base64')).toBe(BASIC_SIG);
    expect(await verifyParsedSignature(parsed, vectorRequest(), TEST_PUBLIC_KEY)).toBe(true);
    expect(await verifyParsedSignature(parsed, vectorRequest(), createPublicKey(TEST_PUBLIC_KEY))).toBe(true);
  });

  it('verifies the All Headers Test header in its Authorization form, with whitespace after commas', async () => {
    const parsed = parseSignatureHeader(`Signature ${ALL_HEADER.replace(/,/g, ', ')}`);
    expect(parsed.headers).toEqual(['(request-target)', 'host', 'date', 'content-type', 'digest', 'content-length']);
    expect(await verifyParsedSignature(parsed, vectorRequest(), TEST_PUBLIC_KEY)).toBe(true);
    const checked = checkIncomingRequest(
      { ...vectorRequest(), headers: { ...vectorRequest().headers, authorization: `Signature ${ALL_HEADER}` } },
      { window: WINDOW, now: VECTOR_NOW + 60_000, body: VECTOR_BODY },
    );
    expect(checked.signature.toString('base64')).toBe(ALL_SIG);
  });

  it('rejects a tampered signature or request', async () => {
    const bad = parseSignatureHeader(BASIC_HEADER.replace(BASIC_SIG, tamperBase64(BASIC_SIG)));
    expect(await verifyParsedSignature(bad, vectorRequest(), TEST_PUBLIC_KEY)).toBe(false);

    const good = parseSignatureHeader(ALL_HEADER);
    const req = vectorRequest();
    req.headers['content-length'] = '19';
    expect(await verifyParsedSignature(good, req, TEST_PUBLIC_KEY)).toBe(false);
    expect(await verifyParsedSignature(good, { ...vectorRequest(), path: '/foo?param=value&pet=cat' }, TEST_PUBLIC_KEY)).toBe(false);
    expect(await verifyParsedSignature(good, { ...vectorRequest(), method: 'PUT' }, TEST_PUBLIC_KEY)).toBe(false);
  });

  it('hs2019 and a missing algorithm verify as RSA-SHA256', async () => {
    for (const header of [BASIC_HEADER.replace('rsa-sha256', 'hs2019'), BASIC_HEADER.replace('algorithm="rsa-sha256",', '')]) {
      const parsed = parseSignatureHeader(header);
      expect(parsed.algorithm).toBe('hs2019');
      expect(await verifyParsedSignature(parsed, vectorRequest(), TEST_PUBLIC_KEY)).toBe(true);
    }
  });

  it('the vector request is stale by today', async () => {
    expect(
      await codeOf(() => checkIncomingRequest({ ...vectorRequest(), headers: { ...vectorRequest().headers, signature: ALL_HEADER } }, { window: WINDOW })),
    ).toBe('stale_date');
  });
});

describe('signingString', () => {
  it('joins multiple values, lower-cases names and handles (created)/(expires)', () => {
    const req: SignableRequest = {
      method: 'GET',
      path: '/foo',
      headers: { 'cache-control': ['max-age=60', 'must-revalidate'], 'x-empty': '' },
    };
    expect(signingString(['(request-target)', '(created)', '(expires)', 'Cache-Control', 'x-empty'], req, { created: 1402170695, expires: 1402170699 })).toBe(
      '(request-target): get /foo\n(created): 1402170695\n(expires): 1402170699\ncache-control: max-age=60, must-revalidate\nx-empty: ',
    );
  });

  it('throws missing_header for an absent header or parameter', async () => {
    const req: SignableRequest = { method: 'GET', path: '/', headers: {} };
    expect(await codeOf(() => signingString(['date'], req))).toBe('missing_header');
    expect(await codeOf(() => signingString(['(created)'], req))).toBe('missing_header');
  });
});

describe('parseSignatureHeader', () => {
  it('rejects malformed values', async () => {
    for (const v of [
      '',
      'keyId="a"',
      'signature="abcd"',
      'keyId="a",signature="abcd',
      'keyId="a" signature="abcd"',
      'keyId="a",keyId="b",signature="abcd"',
      'keyId="a",signature="!!!"',
      'keyId="a",headers="",signature="abcd"',
      'keyId="a",created="soon",signature="abcd"',
    ]) {
      expect(await codeOf(() => parseSignatureHeader(v)), v).toBe('malformed_signature');
    }
  });

  it('reads created/expires and unquoted numbers', () => {
    const p = parseSignatureHeader('keyId="k", algorithm="hs2019", created=1402170695, expires=1402170699, headers="(created) date", signature="abcd"');
    expect(p.created).toBe(1402170695);
    expect(p.expires).toBe(1402170699);
    expect(p.headers).toEqual(['(created)', 'date']);
  });
});

describe('round trips with a fresh RSA-2048 key', () => {
  let privateKey: KeyObject;
  let publicPem: string;
  const now = Date.parse('2025-03-01T12:00:00Z');
  const body = JSON.stringify({ type: 'Follow', actor: 'https://a.example/users/me', object: 'https://b.example/users/you' });
  const url = 'https://b.example:8443/users/you/inbox?x=1';

  beforeAll(async () => {
    const pair = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey;
    publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  });

  async function signedPost(over: { now?: number } = {}): Promise<SignableRequest> {
    const headers = await signRequest({
      method: 'POST',
      url,
      body,
      keyId: 'https://a.example/users/me#main-key',
      privateKey,
      now: over.now ?? now,
      headers: { accept: 'application/activity+json' },
    });
    return { method: 'POST', path: '/users/you/inbox?x=1', headers };
  }

  it('signs a POST that checks and verifies', async () => {
    const req = await signedPost();
    expect(req.headers['host']).toBe('b.example:8443');
    expect(req.headers['date']).toBe('Sat, 01 Mar 2025 12:00:00 GMT');
    expect(req.headers['digest']).toBe(digestHeader(body));
    expect(req.headers['content-type']).toBe('application/activity+json');
    expect(req.headers['accept']).toBe('application/activity+json');
    expect(req.headers['signature']).toMatch(
      /^keyId="https:\/\/a\.example\/users\/me#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date digest content-type",signature="[A-Za-z0-9+/]+=*"$/,
    );
    const parsed = checkIncomingRequest(req, { window: WINDOW, now: now + 5_000, body });
    expect(parsed.keyId).toBe('https://a.example/users/me#main-key');
    expect(await verifyParsedSignature(parsed, req, publicPem)).toBe(true);
  });

  it('omits the default port from host', async () => {
    const h = await signRequest({ method: 'GET', url: 'https://b.example:443/x', keyId: 'k', privateKey, now });
    expect(h['host']).toBe('b.example');
  });

  it('detects a tampered body', async () => {
    const req = await signedPost();
    expect(await codeOf(() => checkIncomingRequest(req, { window: WINDOW, now, body: body + ' ' }))).toBe('bad_digest');
  });

  it('detects a tampered path, host, date, digest or signature', async () => {
    const req = await signedPost();
    const parsed = checkIncomingRequest(req, { window: WINDOW, now, body });
    expect(await verifyParsedSignature(parsed, { ...req, path: '/users/other/inbox?x=1' }, publicPem)).toBe(false);
    expect(await verifyParsedSignature(parsed, { ...req, headers: { ...req.headers, host: 'c.example' } }, publicPem)).toBe(false);
    const date = new Date(now + 1000).toUTCString();
    const redated = { ...req, headers: { ...req.headers, date } };
    checkIncomingRequest(redated, { window: WINDOW, now, body });
    expect(await verifyParsedSignature(parsed, redated, publicPem)).toBe(false);
    const otherBody = '{"type":"Undo"}';
    const redigested = { ...req, headers: { ...req.headers, digest: digestHeader(otherBody) } };
    const p2 = checkIncomingRequest(redigested, { window: WINDOW, now, body: otherBody });
    expect(await verifyParsedSignature(p2, redigested, publicPem)).toBe(false);
    const sig = parsed.signature.toString('base64');
    const resigned = { ...req, headers: { ...req.headers, signature: String(req.headers['signature']).replace(sig, tamperBase64(sig)) } };
    expect(await verifyParsedSignature(checkIncomingRequest(resigned, { window: WINDOW, now, body }), resigned, publicPem)).toBe(false);
  });

  it('does not verify with another key', async () => {
    const req = await signedPost();
    const parsed = checkIncomingRequest(req, { window: WINDOW, now, body });
    expect(await verifyParsedSignature(parsed, req, TEST_PUBLIC_KEY)).toBe(false);
  });

  it('rejects stale and future dates', async () => {
    expect(await codeOf(async () => checkIncomingRequest(await signedPost({ now: now - 13 * 3_600_000 }), { window: WINDOW, now, body }))).toBe('stale_date');
    expect(await codeOf(async () => checkIncomingRequest(await signedPost({ now: now + 2 * 3_600_000 }), { window: WINDOW, now, body }))).toBe('future_date');
    expect(await codeOf(async () => checkIncomingRequest(await signedPost({ now: now - 11 * 3_600_000 }), { window: WINDOW, now, body }))).toBeUndefined();
    const req = await signedPost();
    expect(await codeOf(() => checkIncomingRequest({ ...req, headers: { ...req.headers, date: 'yesterday-ish' } }, { window: WINDOW, now }))).toBe('stale_date');
    const { date: _omit, ...noDate } = req.headers;
    expect(await codeOf(() => checkIncomingRequest({ ...req, headers: noDate }, { window: WINDOW, now }))).toBe('missing_header');
  });

  it('requires digest coverage on POST', async () => {
    const headers = await signRequest({ method: 'GET', url, keyId: 'k', privateKey, now });
    const asPost: SignableRequest = { method: 'POST', path: '/users/you/inbox?x=1', headers: { ...headers, digest: digestHeader(body) } };
    expect(await codeOf(() => checkIncomingRequest(asPost, { window: WINDOW, now }))).toBe('missing_header');
    expect(await codeOf(() => checkIncomingRequest(asPost, { window: WINDOW, now, required: ['(request-target)', 'host', 'date'], body }))).toBe('missing_header');
    expect(await codeOf(() => checkIncomingRequest(asPost, { window: WINDOW, now, required: ['(request-target)', 'host', 'date'] }))).toBeUndefined();
  });

  it('reports missing signatures and covered-but-absent headers', async () => {
    const req = await signedPost();
    const { signature: _s, ...unsigned } = req.headers;
    expect(await codeOf(() => checkIncomingRequest({ ...req, headers: unsigned }, { window: WINDOW, now }))).toBe('missing_signature');
    expect(await codeOf(() => checkIncomingRequest({ ...req, headers: { ...unsigned, authorization: 'Bearer x' } }, { window: WINDOW, now }))).toBe('missing_signature');
    const { 'content-type': _ct, ...noType } = req.headers;
    expect(await codeOf(() => checkIncomingRequest({ ...req, headers: noType }, { window: WINDOW, now, body }))).toBe('missing_header');
  });

  it('signs a GET without a body', async () => {
    const headers = await signRequest({
      method: 'GET',
      url: 'https://b.example/users/you',
      keyId: 'k',
      privateKey,
      now,
      headers: { accept: 'application/activity+json' },
    });
    expect(headers['digest']).toBeUndefined();
    expect(headers['content-type']).toBeUndefined();
    expect(headers['signature']).toContain('headers="(request-target) host date"');
    const req: SignableRequest = { method: 'GET', path: '/users/you', headers };
    const parsed = checkIncomingRequest(req, { window: WINDOW, now });
    expect(parsed.headers).toEqual(['(request-target)', 'host', 'date']);
    expect(await verifyParsedSignature(parsed, req, publicPem)).toBe(true);
    expect(await verifyParsedSignature(parsed, { ...req, method: 'HEAD' }, publicPem)).toBe(false);
  });

  it('POST without a body still carries a signed digest of the empty body', async () => {
    const headers = await signRequest({ method: 'POST', url, keyId: 'k', privateKey, now });
    expect(headers['digest']).toBe(digestHeader(''));
    const req: SignableRequest = { method: 'POST', path: '/users/you/inbox?x=1', headers };
    expect(await verifyParsedSignature(checkIncomingRequest(req, { window: WINDOW, now, body: '' }), req, publicPem)).toBe(true);
  });

  it('accepts the Authorization: Signature form', async () => {
    const req = await signedPost();
    const { signature, ...rest } = req.headers;
    const viaAuth: SignableRequest = { ...req, headers: { ...rest, authorization: `Signature ${String(signature)}` } };
    const parsed = checkIncomingRequest(viaAuth, { window: WINDOW, now, body });
    expect(await verifyParsedSignature(parsed, viaAuth, publicPem)).toBe(true);
  });

  it('accepts hs2019 with (created) and (expires), as GoToSocial/Mastodon send', async () => {
    const created = Math.floor(now / 1000) - 30;
    const expires = created + 300;
    const headers: Record<string, string> = { host: 'b.example', date: new Date(now).toUTCString(), digest: digestHeader(body) };
    const components = ['(request-target)', '(created)', '(expires)', 'host', 'date', 'digest'];
    const req: SignableRequest = { method: 'POST', path: '/inbox', headers };
    const sig = sign('sha256', Buffer.from(signingString(components, req, { created, expires })), privateKey).toString('base64');
    headers['signature'] = `keyId="k", algorithm="hs2019", created=${created}, expires=${expires}, headers="${components.join(' ')}", signature="${sig}"`;
    const parsed = checkIncomingRequest(req, { window: WINDOW, now, body });
    expect(parsed.algorithm).toBe('hs2019');
    expect(await verifyParsedSignature(parsed, req, publicPem)).toBe(true);
    expect(await codeOf(() => checkIncomingRequest(req, { window: WINDOW, now: (expires + 1) * 1000, body }))).toBe('stale_date');
  });

  it('rejects unsupported algorithms and non-RSA keys', async () => {
    const req = await signedPost();
    const hmac = String(req.headers['signature']).replace('rsa-sha256', 'hmac-sha256');
    const withHmac = { ...req, headers: { ...req.headers, signature: hmac } };
    expect(await codeOf(() => checkIncomingRequest(withHmac, { window: WINDOW, now, body }))).toBe('unsupported_algorithm');
    expect(await codeOf(() => verifyParsedSignature(parseSignatureHeader(hmac), req, publicPem))).toBe('unsupported_algorithm');
    const ecdsa = parseSignatureHeader(String(req.headers['signature']).replace('rsa-sha256', 'ecdsa-sha256'));
    expect(await codeOf(() => verifyParsedSignature(ecdsa, req, publicPem))).toBe('unsupported_algorithm');
    const ed = await promisify(generateKeyPair)('ed25519');
    const hs = parseSignatureHeader(String(req.headers['signature']).replace('rsa-sha256', 'hs2019'));
    expect(await codeOf(() => verifyParsedSignature(hs, req, ed.publicKey))).toBe('unsupported_algorithm');
    expect(await codeOf(() => signRequest({ method: 'GET', url, keyId: 'k', privateKey: ed.privateKey, now }))).toBe('unsupported_algorithm');
    expect(await codeOf(() => verifyParsedSignature(hs, req, 'not a key'))).toBe('bad_key');
  });
});
