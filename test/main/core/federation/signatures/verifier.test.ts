// The verification protocol: spec choice, pre-key checks that never fetch a key, refetch
// once (and only once) on failure, and the reason codes.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../../../src/main/core/federation/signatures/cavage';
import { signMessage } from '../../../../../src/main/core/federation/signatures/rfc9421';
import { digestHeader } from '../../../../../src/main/core/federation/signatures/digest';
import {
  verifyRequest,
  type IncomingRequest,
  type KeyResolver,
  type ResolvedKey,
} from '../../../../../src/main/core/federation/signatures/verifier';
import { DEFAULT_LIMITS } from '../../../../../src/main/core/config';

const WINDOW = DEFAULT_LIMITS;
const KEY_ID = 'https://remote.example/users/bob#main-key';
const SIGNER = 'https://remote.example/users/bob';
const URL_ = 'https://social.example/users/alice/inbox';
const BODY = JSON.stringify({ type: 'Follow', actor: SIGNER });
const NOW = Date.UTC(2025, 0, 1, 12);

let current: { privateKey: KeyObject; publicPem: string };
let rotated: { privateKey: KeyObject; publicPem: string };
const pair = () => {
  const p = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: p.privateKey, publicPem: p.publicKey.export({ type: 'spki', format: 'pem' }) as string };
};
beforeAll(() => {
  current = pair();
  rotated = pair();
});

/** A resolver that answers from a script (one answer per call, the last repeated) and records the calls. */
function resolver(...answers: Array<ResolvedKey | Error>): KeyResolver & { calls: Array<{ keyId: string; refresh: boolean }> } {
  const calls: Array<{ keyId: string; refresh: boolean }> = [];
  return {
    calls,
    async resolve(keyId, opts) {
      const answer = answers[Math.min(calls.length, answers.length - 1)]!;
      calls.push({ keyId, refresh: opts.refresh });
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}
const key = (publicKey: ResolvedKey['publicKey'], signer = SIGNER): ResolvedKey => ({ signer, publicKey });

async function cavagePost(over: { now?: number; privateKey?: KeyObject } = {}): Promise<IncomingRequest> {
  const headers = await signRequest({ method: 'POST', url: URL_, body: BODY, keyId: KEY_ID, privateKey: over.privateKey ?? current.privateKey, now: over.now ?? NOW });
  return { method: 'POST', path: '/users/alice/inbox', headers, body: Buffer.from(BODY) };
}

async function rfcPost(over: { privateKey?: KeyObject; keyId?: string; url?: string } = {}): Promise<IncomingRequest> {
  const headers = await signMessage({ method: 'POST', url: over.url ?? URL_, body: BODY, keyId: over.keyId ?? KEY_ID, privateKey: over.privateKey ?? current.privateKey, now: NOW });
  return { method: 'POST', path: '/users/alice/inbox', headers: { ...headers, host: 'social.example' }, body: Buffer.from(BODY) };
}

const verify = (req: IncomingRequest, keys: KeyResolver, now = NOW + 1000) => verifyRequest(req, { keys, window: WINDOW, now });

describe('spec choice', () => {
  it('verifies draft-cavage when there is no Signature-Input', async () => {
    const keys = resolver(key(current.publicPem));
    expect(await verify(await cavagePost(), keys)).toEqual({ ok: true, signer: SIGNER, keyId: KEY_ID, spec: 'draft-cavage' });
    expect(keys.calls).toEqual([{ keyId: KEY_ID, refresh: false }]);
  });

  it('verifies RFC 9421 when Signature-Input is present, whatever else is there', async () => {
    const req = await rfcPost();
    expect(await verify(req, resolver(key(current.publicPem)))).toEqual({ ok: true, signer: SIGNER, keyId: KEY_ID, spec: 'rfc9421' });
    // A draft-cavage Authorization beside it does not change the choice.
    const cavage = await cavagePost();
    const both = { ...req, headers: { ...req.headers, authorization: `Signature ${String(cavage.headers['signature'])}` } };
    expect(await verify(both, resolver(key(current.publicPem)))).toMatchObject({ ok: true, spec: 'rfc9421' });
  });

  it('verifies signed GETs of both specs (no body, no digest)', async () => {
    const url = 'https://social.example/notes/1';
    const c = await signRequest({ method: 'GET', url, keyId: KEY_ID, privateKey: current.privateKey, now: NOW });
    const r = await signMessage({ method: 'GET', url, keyId: KEY_ID, privateKey: current.privateKey, now: NOW });
    expect(await verify({ method: 'GET', path: '/notes/1', headers: c }, resolver(key(current.publicPem)))).toMatchObject({ ok: true, spec: 'draft-cavage' });
    expect(await verify({ method: 'GET', path: '/notes/1', headers: { ...r, host: 'social.example' } }, resolver(key(current.publicPem))))
      .toMatchObject({ ok: true, spec: 'rfc9421' });
  });

  it("RFC 9421 takes @target-uri's scheme from the request (default https)", async () => {
    const req = await rfcPost({ url: 'http://social.example/users/alice/inbox' });
    expect(await verify({ ...req, scheme: 'http' }, resolver(key(current.publicPem)))).toMatchObject({ ok: true });
    expect(await verify(req, resolver(key(current.publicPem)))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});

describe('pre-key failures never fetch a key', () => {
  const cases: Array<[string, () => Promise<IncomingRequest>, string, number?]> = [
    ['no signature at all', async () => ({ method: 'POST', path: '/inbox', headers: { host: 'social.example' }, body: BODY }), 'missing_signature'],
    ['a malformed Signature', async () => {
      const r = await cavagePost();
      return { ...r, headers: { ...r.headers, signature: 'keyId=nope' } };
    }, 'malformed_signature'],
    ['a malformed Signature-Input', async () => {
      const r = await rfcPost();
      return { ...r, headers: { ...r.headers, 'signature-input': 'sig1=("@method"' } };
    }, 'malformed_signature'],
    ['an RFC 9421 signature naming no keyid', async () => {
      const r = await rfcPost();
      return { ...r, headers: { ...r.headers, 'signature-input': String(r.headers['signature-input']).replace(/;keyid="[^"]*"/, '') } };
    }, 'malformed_signature'],
    ['an unsupported algorithm', async () => {
      const r = await cavagePost();
      return { ...r, headers: { ...r.headers, signature: String(r.headers['signature']).replace('rsa-sha256', 'hmac-sha256') } };
    }, 'unsupported_algorithm'],
    ['a Date 13 h old', () => cavagePost({ now: NOW - 13 * 3_600_000 }), 'stale_date'],
    ['a Date 2 h ahead', () => cavagePost({ now: NOW + 2 * 3_600_000 }), 'future_date'],
    ['an RFC 9421 signature created 13 h ago', rfcPost, 'stale_date', NOW + 13 * 3_600_000],
    ['a body that does not match Digest', async () => ({ ...(await cavagePost()), body: Buffer.from(`${BODY} `) }), 'bad_digest'],
    ['a body that does not match Content-Digest', async () => ({ ...(await rfcPost()), body: Buffer.from(`${BODY} `) }), 'bad_digest'],
    ['a POST whose signature does not cover the digest', async () => {
      const headers = await signRequest({ method: 'GET', url: URL_, keyId: KEY_ID, privateKey: current.privateKey, now: NOW });
      return { method: 'POST', path: '/users/alice/inbox', headers: { ...headers, digest: digestHeader(BODY) }, body: BODY };
    }, 'missing_header'],
  ];

  it.each(cases)('%s → %s', async (_name, make, reason, now) => {
    const keys = resolver(key(current.publicPem));
    const result = await verify(await make(), keys, now);
    expect(result).toMatchObject({ ok: false, reason });
    expect(keys.calls).toEqual([]);
  });
});

describe('fetching the key', () => {
  it('an unavailable key is key_unavailable, with what the resolver threw, and is not retried', async () => {
    const down = new Error('remote.example is down');
    const keys = resolver(down);
    const result = await verify(await cavagePost(), keys);
    expect(result).toMatchObject({ ok: false, reason: 'key_unavailable', keyId: KEY_ID, cause: down });
    expect(!result.ok && result.message).toContain('remote.example is down');
    expect(keys.calls).toHaveLength(1);
  });

  it('a rotated key: the cached one fails, one refetch finds the new one', async () => {
    const keys = resolver(key(current.publicPem), key(rotated.publicPem));
    expect(await verify(await cavagePost({ privateKey: rotated.privateKey }), keys)).toMatchObject({ ok: true, signer: SIGNER });
    expect(keys.calls).toEqual([{ keyId: KEY_ID, refresh: false }, { keyId: KEY_ID, refresh: true }]);
  });

  it('the signer is the owner of the key that verified (the refetched one)', async () => {
    const keys = resolver(key(current.publicPem, 'https://remote.example/old'), key(rotated.publicPem, SIGNER));
    expect(await verify(await rfcPost({ privateKey: rotated.privateKey }), keys)).toMatchObject({ ok: true, signer: SIGNER, spec: 'rfc9421' });
  });

  it('refetches only once: a signature that fails with both keys is bad_signature', async () => {
    const keys = resolver(key(current.publicPem), key(rotated.publicPem), key(current.publicPem));
    const forger = pair();
    expect(await verify(await cavagePost({ privateKey: forger.privateKey }), keys)).toMatchObject({ ok: false, reason: 'bad_signature', keyId: KEY_ID });
    expect(keys.calls).toHaveLength(2);
  });

  it('a refetch that gives back the same key (rate-limited) or fails keeps the first failure', async () => {
    const forger = pair();
    const same = resolver(key(current.publicPem));
    expect(await verify(await rfcPost({ privateKey: forger.privateKey }), same)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(same.calls).toHaveLength(2);
    const failing = resolver(key(current.publicPem), new Error('gone'));
    const result = await verify(await cavagePost({ privateKey: forger.privateKey }), failing);
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(!result.ok && result.message).toContain('refetching the key failed: gone');
  });

  it('a missing, unreadable or unfitting key is bad_key (after one refetch)', async () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    for (const publicKey of [null, 'not a key', ed]) {
      const keys = resolver(key(publicKey));
      expect(await verify(await cavagePost(), keys)).toMatchObject({ ok: false, reason: 'bad_key' });
      expect(keys.calls).toHaveLength(2);
    }
    // …and a usable key after the refetch still wins.
    expect(await verify(await cavagePost(), resolver(key(null), key(current.publicPem)))).toMatchObject({ ok: true });
  });

  it('takes a KeyObject as well as a PEM', async () => {
    const keys = resolver(key(current.privateKey));
    expect(await verify(await cavagePost(), keys)).toMatchObject({ ok: true });
  });
});
