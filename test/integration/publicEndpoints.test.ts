// What a remote server or a browser sees on the public port.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { signRequest } from '../../src/main/core/federation/signatures/cavage';
import { signMessage } from '../../src/main/core/federation/signatures/rfc9421';

let o: TestOutpost;
let publicNote = '';
let followersNote = '';

beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.30', username: 'carol' });
  await o.rpc('updateSettings', { displayName: 'Carol <script>', summary: 'Runs an outpost' });
  publicNote = (await o.rpc('compose', { content: 'Public hello #outpost' })).noteId;
  await o.rpc('compose', { content: 'quiet one', visibility: 'unlisted' });
  followersNote = (await o.rpc('compose', { content: 'for followers only', visibility: 'followers' })).noteId;
});
afterAll(() => o?.stop());

const AS = { accept: 'application/activity+json' };
const get = (path: string, headers: Record<string, string> = {}) => fetch(path.startsWith('http') ? path : `${o.publicUrl}${path}`, { headers });

describe('discovery', () => {
  it('WebFinger resolves acct: and the actor URL, and says 404/400 otherwise', async () => {
    const host = new URL(o.publicUrl).host;
    for (const resource of [`acct:carol@${host}`, o.actor]) {
      const res = await get(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/jrd+json');
      const jrd = (await res.json()) as any;
      expect(jrd.subject).toBe(`acct:carol@${host}`);
      expect(jrd.links.find((l: any) => l.rel === 'self')).toMatchObject({ type: 'application/activity+json', href: o.actor });
    }
    expect((await get(`/.well-known/webfinger?resource=acct:nobody@${host}`)).status).toBe(404);
    expect((await get('/.well-known/webfinger')).status).toBe(400);
  });

  it('host-meta points at WebFinger', async () => {
    const res = await get('/.well-known/host-meta');
    expect(res.headers.get('content-type')).toContain('application/xrd+xml');
    expect(await res.text()).toContain(`template="${o.publicUrl}/.well-known/webfinger?resource={uri}"`);
  });

  it('NodeInfo discovery, 2.0 and 2.1', async () => {
    const links = ((await (await get('/.well-known/nodeinfo')).json()) as any).links;
    expect(links.map((l: any) => l.rel)).toEqual([
      'http://nodeinfo.diaspora.software/ns/schema/2.0', 'http://nodeinfo.diaspora.software/ns/schema/2.1',
    ]);
    for (const l of links) {
      const ni = (await (await get(l.href)).json()) as any;
      expect(ni.software.name).toBe('outpost');
      expect(ni.protocols).toEqual(['activitypub']);
      expect(ni.openRegistrations).toBe(false);
      expect(ni.usage.users.total).toBe(1);
      expect(ni.usage.localPosts).toBe(2); // public + unlisted
    }
  });
});

describe('the actor', () => {
  it('serves AS2 JSON for activity+json and ld+json profile', async () => {
    for (const accept of ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
      const res = await get(o.actor, { accept });
      expect(res.status).toBe(200);
      expect(res.headers.get('vary')).toContain('Accept');
      const actor = (await res.json()) as any;
      expect(actor).toMatchObject({
        id: o.actor, type: 'Person', preferredUsername: 'carol', name: 'Carol <script>',
        inbox: `${o.actor}/inbox`, outbox: `${o.actor}/outbox`, followers: `${o.actor}/followers`, following: `${o.actor}/following`,
        endpoints: { sharedInbox: `${o.publicUrl}/inbox` }, manuallyApprovesFollowers: false,
      });
      expect(actor['@context']).toContain('https://w3id.org/security/v1');
      expect(actor.publicKey.id).toBe(`${o.actor}#main-key`);
      expect(actor.publicKey.owner).toBe(o.actor);
      expect(actor.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    }
  });

  it('serves an escaped HTML profile to browsers', async () => {
    const res = await get(o.actor, { accept: 'text/html,application/xhtml+xml' });
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Carol &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Public hello');
    expect(html).not.toContain('for followers only');
  });
});

describe('collections', () => {
  it('outbox is a paged OrderedCollection of public and unlisted Creates', async () => {
    const outbox = (await (await get(`${o.actor}/outbox`, AS)).json()) as any;
    expect(outbox).toMatchObject({ type: 'OrderedCollection', totalItems: 2 });
    const page = (await (await get(outbox.first, AS)).json()) as any;
    expect(page.type).toBe('OrderedCollectionPage');
    expect(page.orderedItems.map((c: any) => c.type)).toEqual(['Create', 'Create']);
    expect(page.orderedItems.map((c: any) => c.object.content).join()).not.toContain('followers only');
  });

  it('followers and following are OrderedCollections with pages', async () => {
    for (const which of ['followers', 'following']) {
      const c = (await (await get(`${o.actor}/${which}`, AS)).json()) as any;
      expect(c).toMatchObject({ type: 'OrderedCollection', totalItems: 0, first: `${o.actor}/${which}?page=1` });
      const page = (await (await get(c.first, AS)).json()) as any;
      expect(page).toMatchObject({ type: 'OrderedCollectionPage', orderedItems: [] });
    }
  });
});

describe('notes', () => {
  it('a public note and its Create are dereferenceable', async () => {
    const uri = `${o.publicUrl}/notes/${publicNote}`;
    const note = (await (await get(uri, AS)).json()) as any;
    expect(note).toMatchObject({ id: uri, type: 'Note', attributedTo: o.actor, to: ['https://www.w3.org/ns/activitystreams#Public'] });
    expect(note.tag).toEqual([{ type: 'Hashtag', href: `${o.publicUrl}/tags/outpost`, name: '#outpost' }]);
    const create = (await (await get(`${uri}/activity`, AS)).json()) as any;
    expect(create).toMatchObject({ id: `${uri}/activity`, type: 'Create', actor: o.actor, object: { id: uri } });
    const html = await (await get(uri, { accept: 'text/html' })).text();
    expect(html).toContain('Public hello');
  });

  it('a followers-only note is not served to an anonymous fetch', async () => {
    expect((await get(`${o.publicUrl}/notes/${followersNote}`, AS)).status).toBe(404);
    expect((await get(`${o.publicUrl}/notes/${followersNote}/activity`, AS)).status).toBe(404);
  });

  it('the tag page lists public notes with the tag', async () => {
    const html = await (await get('/tags/outpost')).text();
    expect(html).toContain('Public hello');
  });
});

describe('the public port is only federation', () => {
  it('has no admin API or events', async () => {
    expect((await fetch(`${o.publicUrl}/rpc/status`, { method: 'POST', headers: { authorization: `Bearer ${o.running.token}` } })).status).toBe(404);
    expect((await get('/events', { authorization: `Bearer ${o.running.token}` })).status).toBe(404);
  });
});

// Followers-only and direct notes are served only to a signed GET — either spec — from an
// accepted follower or someone the note addresses; a rotated key is refetched once.
describe('signed GETs of non-public notes', () => {
  let follower: FakeRemote;
  let stranger: FakeRemote;
  let directNote = '';

  beforeAll(async () => {
    const vars = { LOCAL_ACTOR: o.actor };
    follower = await new FakeRemote({ host: '127.0.1.33', kind: 'mastodon', vars }).start();
    stranger = await new FakeRemote({ host: '127.0.1.34', kind: 'gotosocial', vars }).start();
    expect((await follower.post(`${o.publicUrl}/inbox`, follower.fixture('follow'))).status).toBe(202);
    await eventually(async () => (await o.rpc('followers')).some((f) => f.actor.uri === follower.actorId && f.state === 'accepted'), 10_000, 'follower');
    directNote = (await o.rpc('compose', { content: `just for @${stranger.handle}`, visibility: 'direct' })).noteId;
  });
  afterAll(async () => {
    await follower?.stop();
    await stranger?.stop();
  });

  type Spec = 'draft-cavage' | 'rfc9421';
  async function signedGet(from: FakeRemote, path: string, spec: Spec, key: KeyObject = from.privateKey): Promise<number> {
    const url = `${o.publicUrl}${path}`;
    const signed = spec === 'rfc9421'
      ? await signMessage({ method: 'GET', url, keyId: from.keyId, privateKey: key })
      : await signRequest({ method: 'GET', url, keyId: from.keyId, privateKey: key });
    const { host: _host, ...headers } = signed;
    void _host;
    const res = await fetch(url, { headers: { ...headers, ...AS } });
    await res.arrayBuffer();
    return res.status;
  }

  it.each(['draft-cavage', 'rfc9421'] as const)('%s: an accepted follower reads a followers-only note and its Create', async (spec) => {
    expect(await signedGet(follower, `/notes/${followersNote}`, spec)).toBe(200);
    expect(await signedGet(follower, `/notes/${followersNote}/activity`, spec)).toBe(200);
  });

  it.each(['draft-cavage', 'rfc9421'] as const)('%s: the addressee reads a direct note; others get 404', async (spec) => {
    expect(await signedGet(stranger, `/notes/${directNote}`, spec)).toBe(200);
    expect(await signedGet(stranger, `/notes/${followersNote}`, spec)).toBe(404);
    expect(await signedGet(follower, `/notes/${directNote}`, spec)).toBe(404);
  });

  it('a signature by a key the sender does not publish gets 404', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await signedGet(follower, `/notes/${followersNote}`, 'draft-cavage', other)).toBe(404);
    expect(await signedGet(follower, `/notes/${followersNote}`, 'rfc9421', other)).toBe(404);
  });

  it('a follower who rotated its key is read again after one refetch of its actor', async () => {
    const next = generateKeyPairSync('rsa', {
      modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    follower.actor.publicKey.publicKeyPem = next.publicKey;
    // The cached key is older than keyRefetchMinAgeMs (30 s), so a failure may refetch it.
    o.running.instance.db.prepare('UPDATE actors SET fetched_at = fetched_at - 60000 WHERE uri = ?').run(follower.actorId);
    const fetchesBefore = follower.fetched.length;
    expect(await signedGet(follower, `/notes/${followersNote}`, 'rfc9421', createPrivateKey(next.privateKey))).toBe(200);
    expect(follower.fetched.length - fetchesBefore).toBe(1);
    expect(await signedGet(follower, `/notes/${followersNote}`, 'draft-cavage', createPrivateKey(next.privateKey))).toBe(200);
    expect(follower.fetched.length - fetchesBefore).toBe(1);
  });
});
