// The inbox also takes RFC 9421 signatures (Signature-Input + Content-Digest), as newer
// Mastodon and Fedify servers send them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';
import { signMessage } from '../support/remote/signing';

let o: TestOutpost;
let remote: FakeRemote;
beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.90', username: 'vera' });
  remote = await new FakeRemote({ host: '127.0.1.91', kind: 'mastodon', vars: { LOCAL_ACTOR: o.actor } }).start();
});
afterAll(async () => {
  await o?.stop();
  await remote?.stop();
});

async function post(activity: unknown, tamper?: (h: Record<string, string>, body: string) => string) {
  const url = `${o.publicUrl}/inbox`;
  const body = JSON.stringify(activity);
  const headers = await signMessage({
    method: 'POST', url, body, keyId: remote.keyId, privateKey: remote.privateKey,
    components: ['@method', '@target-uri', 'content-digest', 'content-type'], headers: { 'content-type': 'application/activity+json' },
  });
  const sent = tamper ? tamper(headers, body) : body;
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/activity+json', ...headers }, body: sent });
}

describe('RFC 9421 signatures on the inbox', () => {
  it('accepts a correctly signed Follow and answers it', async () => {
    const res = await post(remote.fixture('follow'));
    expect(res.status).toBe(202);
    await eventually(async () => (await o.rpc('followers')).some((f) => f.actor.uri === remote.actorId), 10_000, 'follower');
    await eventually(() => remote.received.find((r) => r.json?.type === 'Accept' && r.signatureValid), 10_000, 'Accept');
  });

  it('refuses a body changed after signing, and a signature by another key', async () => {
    const changed = await post({ ...remote.fixture('like'), id: `${remote.origin}/likes/x` }, (_h, body) => body.replace('"Like"', '"Like" '));
    expect(changed.status).toBe(401);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const url = `${o.publicUrl}/inbox`;
    const body = JSON.stringify({ ...remote.fixture('like'), id: `${remote.origin}/likes/y` });
    const headers = await signMessage({ method: 'POST', url, body, keyId: remote.keyId, privateKey: other });
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/activity+json', ...headers }, body });
    expect(forged.status).toBe(401);
  });
});
