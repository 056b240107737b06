// Authorized fetch (Mastodon's secure mode): with it on, what servers read — AS2 notes,
// their activities, the outbox and the follow collections — needs a signed GET; the actor
// document, WebFinger and what browsers see stay public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { REMOTE_KEY, signRequest } from '../support/remote/signing';

const AS2 = 'application/activity+json';
let outpost: TestOutpost;
let remote: FakeRemote;
let noteUrl = '';

const get = (url: string, accept = AS2) => fetch(url, { headers: { accept } });
async function signedGet(url: string, key = REMOTE_KEY.privateKey): Promise<Response> {
  const { host: _host, ...headers } = await signRequest({ method: 'GET', url, keyId: remote.keyId, privateKey: key, headers: { accept: AS2 } });
  void _host;
  return fetch(url, { headers });
}

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.110', username: 'owner' });
  remote = await new FakeRemote({ host: '127.0.9.111', kind: 'mastodon', vars: { LOCAL_ACTOR: outpost.actor } }).start();
  const { noteId } = await outpost.rpc('compose', { content: 'a public post' });
  noteUrl = `${outpost.publicUrl}/notes/${noteId}`;
});

afterAll(async () => {
  await outpost?.stop();
  await remote?.stop();
});

describe('authorized fetch', () => {
  it('is off by default: unsigned GETs read public notes and collections', async () => {
    expect((await outpost.rpc('settings')).authorizedFetch).toBe(false);
    for (const url of [noteUrl, `${noteUrl}/activity`, `${outpost.actor}/outbox`, `${outpost.actor}/followers`]) {
      expect((await get(url)).status, url).toBe(200);
    }
  });

  it('when on, unsigned and badly signed GETs of notes and collections get 401', async () => {
    expect((await outpost.rpc('updateSettings', { authorizedFetch: true })).authorizedFetch).toBe(true);
    const urls = [noteUrl, `${noteUrl}/activity`, `${outpost.actor}/outbox`, `${outpost.actor}/outbox?page=true`, `${outpost.actor}/followers`, `${outpost.actor}/following?page=1`];
    for (const url of urls) {
      const res = await get(url);
      expect(res.status, url).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/signed requests/);
    }
    const wrongKey = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await signedGet(noteUrl, wrongKey)).status).toBe(401);
  });

  it('when on, a signed GET reads them', async () => {
    for (const url of [noteUrl, `${noteUrl}/activity`, `${outpost.actor}/outbox`, `${outpost.actor}/followers`]) {
      expect((await signedGet(url)).status, url).toBe(200);
    }
  });

  it('when on, a signature made for a GET does not open a HEAD (the method is signed)', async () => {
    const { host: _host, ...headers } = await signRequest({ method: 'GET', url: noteUrl, keyId: remote.keyId, privateKey: REMOTE_KEY.privateKey, headers: { accept: AS2 } });
    void _host;
    expect((await fetch(noteUrl, { method: 'HEAD', headers })).status).toBe(401);
    const { host: _h, ...headHeaders } = await signRequest({ method: 'HEAD', url: noteUrl, keyId: remote.keyId, privateKey: REMOTE_KEY.privateKey, headers: { accept: AS2 } });
    void _h;
    expect((await fetch(noteUrl, { method: 'HEAD', headers: headHeaders })).status).toBe(200);
  });

  it('when on, a server the user blocked is refused even with a valid signature', async () => {
    await outpost.rpc('blockDomain', { domain: remote.host });
    expect((await signedGet(noteUrl)).status).toBe(401);
    await outpost.rpc('unblockDomain', { domain: remote.host });
    expect((await signedGet(noteUrl)).status).toBe(200);
  });

  it('when on, the actor, WebFinger and the pages browsers see stay public', async () => {
    expect((await get(outpost.actor)).status).toBe(200);
    expect((await get(`${outpost.publicUrl}/.well-known/webfinger?resource=acct:${outpost.handle}`, 'application/jrd+json')).status).toBe(200);
    expect((await get(noteUrl, 'text/html')).status).toBe(200);
    expect((await get(outpost.actor, 'text/html')).status).toBe(200);
  });

  it('is a stored setting, and turning it off serves unsigned GETs again', async () => {
    const stored = () => JSON.parse((outpost.running.instance.db.prepare("SELECT value FROM meta WHERE key = 'settings'").get() as { value: string }).value);
    expect(stored().authorizedFetch).toBe(true);
    await outpost.rpc('updateSettings', { authorizedFetch: false });
    expect(stored().authorizedFetch).toBe(false);
    expect((await get(noteUrl)).status).toBe(200);
  });
});
