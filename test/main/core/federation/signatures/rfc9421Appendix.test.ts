// RFC 9421 appendix B against our implementation: the signature bases and signatures the
// RFC publishes for test-key-rsa-pss (B.1.2: B.2.1 minimal, B.2.3 full coverage), and our
// own signing with that key verified by the RFC's public key. B.2.6 (ed25519) is pinned in
// rfc9421.test.ts. B.2.2 covers "@query-param";name="Pet" (a parameterised component, which
// we refuse as malformed), B.2.4 signs a response (@status) and B.2.5 uses HMAC: none of
// these three is something an ActivityPub request of ours or a peer's carries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseMessageSignature, signMessage, signatureBase, verifyMessageSignature, type MessageSignableRequest,
} from '../../../../../src/main/core/federation/signatures/rfc9421';
import { SignatureError } from '../../../../../src/main/core/federation/signatures/common';
import { rfc9421ExampleRequest } from '../../../../support/rfc9421Example';

const FIXTURES = join(__dirname, '../../../../fixtures/rfc9421');
const PSS_PUBLIC = createPublicKey(readFileSync(join(FIXTURES, 'test-key-rsa-pss.pub.pem')));
const PSS_PRIVATE = createPrivateKey(readFileSync(join(FIXTURES, 'test-key-rsa-pss.pem')));

const exampleRequest = rfc9421ExampleRequest;

const B21_INPUT = 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"';
const B21_SIGNATURE = 'sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:';

const B23_INPUT = 'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"';
const B23_SIGNATURE = 'sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:';
const B23_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@query": ?param=Value&Pet=dog',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
].join('\n');

describe('RFC 9421 B.2.1 minimal signature (rsa-pss-sha512)', () => {
  it('has the signature base of the RFC: the parameters line alone', () => {
    const req = exampleRequest(B21_INPUT, B21_SIGNATURE);
    const parsed = parseMessageSignature(req.headers);
    expect(parsed.components).toEqual([]);
    expect(signatureBase(parsed, req)).toBe('"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
  });

  it("verifies the RFC's signature with alg named, and fails with the PKCS#1 v1.5 algorithm", async () => {
    const req = exampleRequest(B21_INPUT, B21_SIGNATURE);
    const parsed = parseMessageSignature(req.headers);
    expect(await verifyMessageSignature({ ...parsed, params: { ...parsed.params, alg: 'rsa-pss-sha512' } }, req, PSS_PUBLIC)).toBe(true);
    // Absent alg and an RSA (rsaEncryption) key mean rsa-v1_5-sha256: the RFC's PSS signature does not verify that way.
    expect(await verifyMessageSignature(parsed, req, PSS_PUBLIC)).toBe(false);
  });
});

describe('RFC 9421 B.2.3 full coverage (rsa-pss-sha512)', () => {
  it('reproduces the signature base exactly', () => {
    const req = exampleRequest(B23_INPUT, B23_SIGNATURE);
    expect(signatureBase(parseMessageSignature(req.headers), req)).toBe(B23_BASE);
  });

  it("verifies the RFC's signature, and not once a covered component changes", async () => {
    const req = exampleRequest(B23_INPUT, B23_SIGNATURE);
    const parsed = { ...parseMessageSignature(req.headers) };
    parsed.params = { ...parsed.params, alg: 'rsa-pss-sha512' };
    expect(await verifyMessageSignature(parsed, req, PSS_PUBLIC)).toBe(true);
    const tampered = { ...req, path: '/foo?param=Value&Pet=cat' };
    expect(await verifyMessageSignature(parsed, tampered, PSS_PUBLIC)).toBe(false);
  });

  it("signs with the RFC's private key (PSS signatures are randomised): the RFC's public key verifies ours", async () => {
    const headers = await signMessage({
      method: 'POST', url: 'https://example.com/foo?param=Value&Pet=dog', body: '{"hello": "world"}', keyId: 'test-key-rsa-pss',
      privateKey: PSS_PRIVATE, components: ['date', '@method', '@path', '@query', '@authority', 'content-type', 'content-digest', 'content-length'],
      now: 1618884473_000, label: 'sig-b23',
      headers: { date: 'Tue, 20 Apr 2021 02:07:55 GMT', 'content-type': 'application/json', 'content-length': '18' },
    });
    expect(headers['signature-input']).toBe(`${B23_INPUT};alg="rsa-pss-sha512"`);
    const req: MessageSignableRequest = { method: 'POST', path: '/foo?param=Value&Pet=dog', headers: { ...headers, host: 'example.com' } };
    const parsed = parseMessageSignature(req.headers);
    expect(await verifyMessageSignature(parsed, req, PSS_PUBLIC)).toBe(true);
    // Our base differs from the RFC's only in the content-digest (sha-256 here) and the alg parameter.
    expect(signatureBase(parsed, req).split('\n').filter((l) => !l.startsWith('"content-digest"') && !l.startsWith('"@signature-params"')))
      .toEqual(B23_BASE.split('\n').filter((l) => !l.startsWith('"content-digest"') && !l.startsWith('"@signature-params"')));
  });
});

describe('RFC 9421 B.2.2 (a parameterised component)', () => {
  it('is refused as malformed, not mis-verified', () => {
    const req = exampleRequest(
      'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
      'sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:',
    );
    expect(() => parseMessageSignature(req.headers)).toThrow(SignatureError);
  });
});
