// The double-knock: one request signed in the spec the host takes; a 400/401 (and only
// those) knocked once more at once with the other spec; the host's choice remembered (and
// persisted) so the next request goes right the first time; Accept-Signature hints honoured.
// The peers here really verify what they get (test/support/remote/signing.ts).
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignedRequester } from '../../../../src/main/core/federation/signedRequests';
import { HostSignatureSpecs } from '../../../../src/main/core/federation/hostSignatureSpecs';
import { parseAcceptSignature, signOutgoing } from '../../../../src/main/core/federation/signatures/outgoing';
import { parseMessageSignature } from '../../../../src/main/core/federation/signatures/rfc9421';
import { DEFAULT_SIGNATURES } from '../../../../src/main/core/config';
import { openDatabase } from '../../../../src/main/core/store/database';
import type { HttpResponse, RequestOptions } from '../../../../src/main/core/federation/httpClient';
import type { SignatureSpecName } from '../../../../src/shared/federation';
import { verifyIncoming } from '../../../support/remote/signing';

// 2048 bits, as ours: RSA-PSS with SHA-512 (an Accept-Signature hint) needs more than 1024.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = createPublicKey(privateKey);
const KEY_ID = 'https://me.example/users/me#main-key';
const signer = () => ({ keyId: KEY_ID, privateKey });
const lookup = async (keyId: string) => (keyId === KEY_ID ? { owner: 'https://me.example/users/me', publicKey } : null);

interface Seen { url: string; spec: SignatureSpecName; ok: boolean; headers: Record<string, string> }

/** A transport whose hosts verify signatures for real and take only the specs given. */
function peers(accepts: Record<string, readonly SignatureSpecName[]>, extra: (host: string, seen: Seen) => Partial<HttpResponse> | undefined = () => undefined) {
  const seen: Seen[] = [];
  const http = {
    async request(url: string, opts: RequestOptions): Promise<HttpResponse> {
      const u = new URL(url);
      const headers = { ...opts.headers!, host: u.host };
      const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
      const v = await verifyIncoming({ method: opts.method ?? 'GET', url: u.pathname + u.search, headers }, body, lookup, accepts[u.host] ?? []);
      const s: Seen = { url, spec: v.spec, ok: v.ok, headers };
      seen.push(s);
      const scripted = extra(u.host, s);
      return { status: v.ok ? 202 : 401, headers: {}, body: Buffer.alloc(0), ...scripted };
    },
  };
  return { http, seen };
}

const post = (host: string) => ({ method: 'POST' as const, url: `http://${host}/inbox`, body: Buffer.from('{"type":"Like"}'), timeoutMs: 5000, maxBytes: 1024 });

describe('double-knock', () => {
  it('knocks once where the preferred spec is taken, twice where only the other is, and remembers', async () => {
    const { http, seen } = peers({ 'new.example': ['rfc9421'], 'old.example': ['draft-cavage'], 'both.example': ['rfc9421', 'draft-cavage'] });
    const specs = new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'rfc9421');
    const r = new SignedRequester(http, signer, specs);

    for (const host of ['new.example', 'old.example', 'both.example']) expect((await r.request(post(host))).status).toBe(202);
    expect(seen.map((s) => [new URL(s.url).host, s.spec, s.ok])).toEqual([
      ['new.example', 'rfc9421', true],
      ['old.example', 'rfc9421', false], ['old.example', 'draft-cavage', true],
      ['both.example', 'rfc9421', true],
    ]);
    seen.length = 0;
    // Remembered: the second request to each goes right the first time.
    for (const host of ['new.example', 'old.example', 'both.example']) await r.request(post(host));
    expect(seen.map((s) => [new URL(s.url).host, s.spec, s.ok])).toEqual([
      ['new.example', 'rfc9421', true], ['old.example', 'draft-cavage', true], ['both.example', 'rfc9421', true],
    ]);
    expect(specs.get('old.example')).toMatchObject({ spec: 'draft-cavage', lastDoubleKnock: 'switched', lastDoubleKnockFrom: 'rfc9421' });
  });

  it('with draft-cavage preferred, an RFC 9421-only host is double-knocked the other way', async () => {
    const { http, seen } = peers({ 'new.example': ['rfc9421'] });
    const r = new SignedRequester(http, signer, new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'draft-cavage'));
    const res = await r.request({ method: 'GET', url: 'http://new.example/users/a', headers: { accept: 'application/activity+json' }, timeoutMs: 5000, maxBytes: 1024 });
    expect([res.status, res.spec, res.knocks, res.firstStatus]).toEqual([202, 'rfc9421', 2, 401]);
    expect(seen.map((s) => s.spec)).toEqual(['draft-cavage', 'rfc9421']);
    // A GET covers no content-digest; it does cover date and the target.
    expect(parseMessageSignature(seen[1]!.headers).components).toEqual(['@method', '@target-uri', '@authority', 'date']);
  });

  it('persists the choice: a new memory over the same database knocks right the first time', async () => {
    const db = openDatabase(':memory:');
    const { http, seen } = peers({ 'old.example': ['draft-cavage'] });
    await new SignedRequester(http, signer, new HostSignatureSpecs(db, DEFAULT_SIGNATURES, () => 'rfc9421')).request(post('old.example'));
    seen.length = 0;
    const restarted = new HostSignatureSpecs(db, DEFAULT_SIGNATURES, () => 'rfc9421');
    expect(restarted.get('old.example')?.spec).toBe('draft-cavage');
    await new SignedRequester(http, signer, restarted).request(post('old.example'));
    expect(seen.map((s) => s.spec)).toEqual(['draft-cavage']);
  });

  it('only 400 and 401 are double-knocked; 403, 404, 5xx are answers', async () => {
    for (const status of [403, 404, 410, 500, 503]) {
      const { http, seen } = peers({}, () => ({ status }));
      const res = await new SignedRequester(http, signer, new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'rfc9421')).request(post('x.example'));
      expect([res.status, seen.length]).toEqual([status, 1]);
    }
    const { http, seen } = peers({}, () => ({ status: 400 }));
    await new SignedRequester(http, signer, new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'rfc9421')).request(post('x.example'));
    expect(seen.map((s) => s.spec)).toEqual(['rfc9421', 'draft-cavage']);
  });

  it('never knocks more than twice, and not at all again for a while after a host refused both', async () => {
    const { http, seen } = peers({ 'closed.example': [] });
    let now = 1_000_000;
    const specs = new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'rfc9421');
    const r = new SignedRequester(http, signer, specs, () => now);
    const first = await r.request(post('closed.example'));
    expect([first.status, first.knocks, seen.length]).toEqual([401, 2, 2]);
    expect(specs.get('closed.example')).toMatchObject({ spec: 'rfc9421', lastDoubleKnock: 'refused_both' });
    await r.request(post('closed.example'));
    expect(seen.length).toBe(3); // one knock: the host refuses us, not our signature
    now += DEFAULT_SIGNATURES.doubleKnockCooldownMs;
    await r.request(post('closed.example'));
    expect(seen.length).toBe(5);
  });

  it("honours an Accept-Signature hint: the components, label and algorithm the server asks for", async () => {
    const hint = `wanted=("@method" "@target-uri" "content-digest" "content-type");keyid="${KEY_ID}";alg="rsa-pss-sha512"`;
    const { http, seen } = peers({ 'picky.example': ['rfc9421'] }, (_h, s) => (s.headers['signature-input']?.startsWith('wanted=') ? undefined : { status: 401, headers: { 'accept-signature': hint } }));
    const specs = new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => 'draft-cavage');
    const res = await new SignedRequester(http, signer, specs).request(post('picky.example'));
    expect([res.status, res.spec]).toEqual([202, 'rfc9421']);
    const parsed = parseMessageSignature(seen[1]!.headers);
    expect(parsed.label).toBe('wanted');
    expect(parsed.params.alg).toBe('rsa-pss-sha512');
    expect(parsed.components).toEqual(expect.arrayContaining(['@method', '@target-uri', 'content-digest', 'content-type', 'date']));
    expect(specs.get('picky.example')?.spec).toBe('rfc9421');
  });
});

describe('signing and hints', () => {
  it('RFC 9421 POSTs cover @method @target-uri @authority content-digest date, with Content-Digest of the body', async () => {
    const h = await signOutgoing('rfc9421', { method: 'POST', url: 'https://a.example/inbox', body: '{}', keyId: KEY_ID, privateKey, now: 1_700_000_000_000 });
    expect(h['signature-input']).toBe(`sig1=("@method" "@target-uri" "@authority" "content-digest" "date");created=1700000000;keyid="${KEY_ID}";alg="rsa-v1_5-sha256"`);
    expect(h['content-digest']).toBe('sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:');
    expect(h.date).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
    expect(h['content-type']).toBe('application/activity+json');
  });

  it('draft-cavage stays as it was: (request-target) host date digest content-type', async () => {
    const h = await signOutgoing('draft-cavage', { method: 'POST', url: 'https://a.example/inbox', body: '{}', keyId: KEY_ID, privateKey });
    expect(h.signature).toContain('headers="(request-target) host date digest content-type"');
    expect(h['signature-input']).toBeUndefined();
  });

  it('reads Accept-Signature; a hint for another key, or garbage, is no hint', () => {
    expect(parseAcceptSignature('sig1=("@method" "@target-uri");alg="rsa-v1_5-sha256"', KEY_ID)).toEqual({ label: 'sig1', components: ['@method', '@target-uri'], alg: 'rsa-v1_5-sha256' });
    expect(parseAcceptSignature('sig1=("@method");keyid="https://other.example/k"', KEY_ID)).toBeUndefined();
    expect(parseAcceptSignature('((((', KEY_ID)).toBeUndefined();
    expect(parseAcceptSignature(undefined, KEY_ID)).toBeUndefined();
  });
});
