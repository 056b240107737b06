// Profiles between two real instances on loopback: a profile with its posts before
// following (paged through the outbox, each post stored so it can be liked), counts from
// the collections, profile fields with a link verified by rel="me", the backfill into Home
// when the follow is accepted, removing a follower (Reject), and the owner's own profile.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, startOutpost, type TestOutpost } from '../support/outpost';
import { listen, closeServer } from '../../src/main/core/http/httpUtil';
import { png } from '../support/images';

let alice: TestOutpost;
let bob: TestOutpost;
let site: Server;
let siteUrl: string;
/** What bob's personal site links to with rel="me". */
let relMe = '';

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    startOutpost({ host: '127.0.9.1', username: 'alice' }),
    startOutpost({ host: '127.0.9.2', username: 'bob' }),
  ]);
  site = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/home' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Bob</title><link rel="stylesheet" href="/s.css"></head>
      <body><p>Hi</p><a class="x" rel="me noopener" href="${relMe}">me elsewhere</a></body></html>`);
  });
  const port = await freePort('127.0.9.3');
  await listen(site, port, '127.0.9.3');
  siteUrl = `http://127.0.9.3:${port}`;
  relMe = bob.actor;
}, 60_000);

afterAll(async () => {
  await Promise.all([alice?.stop(), bob?.stop(), site ? closeServer(site) : undefined]);
});

describe('profiles', () => {
  it('shows a profile with its posts before following, paged, each post stored', async () => {
    await bob.rpc('updateSettings', {
      displayName: 'Bob Builder', summary: 'I build things',
      fields: [{ name: 'Website', value: `${siteUrl}/moved` }, { name: 'Pronouns', value: 'they/them' }],
    });
    for (let i = 1; i <= 21; i++) await bob.rpc('compose', { content: `Bob's post number ${i}` });
    await bob.rpc('compose', { content: 'Only for my followers', visibility: 'followers' });

    const p = await alice.rpc('profile', { handle: `@${bob.handle}` });
    expect(p.actor.name).toBe('Bob Builder');
    expect(p.actor.summaryHtml).toContain('I build things');
    expect(p.postsCount).toBe(21);
    expect(p.followersCount).toBe(0);
    expect(p.followingCount).toBe(0);
    expect(p.followState).toBeNull();
    expect(p.posts).toHaveLength(20);
    expect(p.posts[0]!.contentHtml).toContain('number 21');
    expect(p.posts.some((n) => n.contentHtml.includes('Only for my followers'))).toBe(false);
    // The link redirects to a page with rel="me" back to bob: verified; plain text is not a link.
    const [website, pronouns] = p.fields;
    expect(website!.name).toBe('Website');
    expect(website!.valueHtml).toContain(`href="${siteUrl}/moved"`);
    expect(website!.verifiedAt).toBeGreaterThan(0);
    expect(pronouns).toEqual({ name: 'Pronouns', valueHtml: 'they/them', verifiedAt: null });

    expect(p.postsNext).toBeTruthy();
    const older = await alice.rpc('profile', { handle: bob.handle, page: p.postsNext! });
    expect(older.posts.map((n) => n.contentHtml)).toEqual([expect.stringContaining('number 1<')]);
    expect(older.postsNext).toBeNull();

    // Stored: it can be liked, and bob hears of it.
    await alice.rpc('like', { noteId: p.posts[0]!.id });
    await eventually(async () => (await bob.rpc('notifications', {})).notifications.some((n) => n.type === 'like'), 10_000, 'like on bob');
  });

  it('refuses a page that is not on the account’s own server', async () => {
    const res = await alice.rpcRaw('profile', { handle: bob.handle, page: `${alice.publicUrl}/users/alice/outbox?page=true` });
    expect(res.status).toBe(200);
    expect(res.body.posts).toEqual([]);
    expect(res.body.postsError).toMatch(/is not on/);
  });

  it('says "not found" for an account that does not exist', async () => {
    const res = await alice.rpcRaw('profile', { handle: `nobody@${new URL(bob.publicUrl).host}` });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/does not exist/);
  });

  it('backfills Home with the account’s last posts when it accepts the follow', async () => {
    await alice.rpc('follow', { handle: bob.handle });
    const entries = await eventually(async () => {
      const t = await alice.rpc('timeline', { limit: 50 });
      const bobs = t.entries.filter((e) => e.note.author.uri === bob.actor);
      return bobs.length >= 5 ? bobs : undefined;
    }, 10_000, 'backfill');
    expect(entries).toHaveLength(5);
    expect(entries[0]!.note.contentHtml).toContain('number 21');
    expect(entries.some((e) => e.note.visibility !== 'public')).toBe(false);
    const p = await alice.rpc('profile', { handle: bob.handle });
    expect(p.followState).toBe('accepted');
  });

  it('shows the owner’s own profile, and its fields in the actor document as rel="me" links', async () => {
    await alice.rpc('updateSettings', { displayName: 'Alice', fields: [{ name: 'Site', value: 'https://alice.example/' }] });
    await alice.rpc('compose', { content: 'Alice writes' });
    const own = await alice.rpc('profile', { handle: alice.handle });
    expect(own.actor.local).toBe(true);
    expect(own.followingCount).toBe(1);
    expect(own.posts[0]!.contentHtml).toContain('Alice writes');
    expect(own.fields[0]!.valueHtml).toContain('rel="me nofollow noopener noreferrer"');
    const doc = await (await fetch(alice.actor, { headers: { accept: 'application/activity+json' } })).json() as any;
    expect(doc.attachment).toEqual([{ type: 'PropertyValue', name: 'Site', value: expect.stringContaining('href="https://alice.example/"') }]);
    // Seen from bob (after the Update(Person) arrives).
    await eventually(async () => {
      const seen = await bob.rpc('profile', { handle: alice.handle });
      return seen.fields[0]?.name === 'Site' && seen.actor.name === 'Alice';
    }, 10_000, 'profile update on bob');
  });

  it('shows the header and avatar from the instance: its own files, and another account\'s through the media cache', async () => {
    const header = await bob.rpc('uploadHeader', { data: (await png(600, 200)).toString('base64'), mediaType: 'image/png' });
    await bob.rpc('uploadAvatar', { data: (await png(96, 96, { r: 200, g: 60, b: 40 })).toString('base64'), mediaType: 'image/png' });
    const own = await bob.rpc('profile', { handle: bob.handle });
    expect(own.headerUrl).toBe(header.headerUrl);
    expect(own.headerSrc).toMatch(/^\/media\/local\/header-/);
    expect(own.actor.iconSrc).toMatch(/^\/media\/local\//);

    // Alice sees bob's image (his actor's `image`) and icon as paths on her own admin origin.
    const seen = await eventually(async () => {
      const p = await alice.rpc('profile', { handle: bob.handle });
      return p.headerUrl === header.headerUrl && p.actor.iconSrc ? p : undefined;
    }, 10_000, 'bob\'s pictures on alice');
    for (const path of [seen.headerSrc!, seen.actor.iconSrc!]) {
      expect(path).toMatch(/^\/media\/cache\/i\//);
      const res = await fetch(`${alice.running.adminUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\//);
    }
  });

  it('verifies the owner’s own links and keeps the answer with the settings', async () => {
    const s = await eventually(async () => {
      const got = await bob.rpc('settings');
      return got.fields[0]?.verifiedAt ? got : undefined;
    }, 10_000, 'own link verified');
    expect(s.fields).toEqual([
      { name: 'Website', value: `${siteUrl}/moved`, verifiedAt: expect.any(Number) },
      { name: 'Pronouns', value: 'they/them', verifiedAt: null },
    ]);
  });

  it('rejects profile fields beyond the limits with a clear error', async () => {
    const five = Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, value: 'v' }));
    expect((await alice.rpcRaw('updateSettings', { fields: five })).body.error.message).toMatch(/more than 4 entries/);
    expect((await alice.rpcRaw('updateSettings', { fields: [{ name: 'x', value: '' }] })).body.error.message).toMatch(/needs both/);
    expect((await alice.rpcRaw('updateSettings', { fields: [{ name: 'x'.repeat(256), value: 'y' }] })).body.error.message).toMatch(/longer than 255/);
    expect((await alice.rpc('settings')).fields.map((f) => f.name)).toEqual(['Site']);
  });

  it('removes a follower: the row goes and their server gets a Reject', async () => {
    await bob.rpc('follow', { handle: alice.handle });
    await eventually(async () => (await alice.rpc('followers')).some((f) => f.actor.uri === bob.actor && f.state === 'accepted'), 10_000, 'bob follows');
    expect((await alice.rpc('profile', { handle: bob.handle })).followedBy).toBe('accepted');
    await alice.rpc('rejectFollower', { actor: bob.actor });
    expect((await alice.rpc('followers')).some((f) => f.actor.uri === bob.actor)).toBe(false);
    await eventually(async () => (await bob.rpc('following')).find((f) => f.actor.uri === alice.actor)?.state === 'rejected', 10_000, 'Reject on bob');
  });
});
