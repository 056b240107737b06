// Floods at the inbox: bodies built to burn the event loop, one host sending thousands of
// requests, and requests built to make Outpost fetch keys for someone else. Every case
// checks the exact status and that nothing was stored.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';

let outpost: TestOutpost;
let bob: FakeRemote;
let other: FakeRemote;
let inbox = '';
let seq = 0;

const stored = () => (outpost.running.instance.db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n;
const activity = (over: Record<string, unknown> = {}) => ({
  '@context': 'https://www.w3.org/ns/activitystreams', id: `${bob.actorId}/likes/${++seq}`, type: 'Like', actor: bob.actorId,
  object: `${outpost.publicUrl}/notes/none`, ...over,
});
/** A raw body POSTed as bob, validly signed over exactly these bytes. */
const signedRaw = (body: string) => bob.post(inbox, body);
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.60', username: 'owner' });
  inbox = `${outpost.publicUrl}/inbox`;
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` };
  bob = await new FakeRemote({ host: '127.0.9.61', kind: 'mastodon', vars }).start();
  other = await new FakeRemote({ host: '127.0.9.62', kind: 'mastodon', vars }).start();
});

afterAll(async () => {
  await outpost?.stop();
  await bob?.stop();
  await other?.stop();
});

describe('verify before parse', () => {
  it('a megabyte of "[" without a signature is refused on its headers: 401, never parsed, nothing stored', async () => {
    const before = stored();
    const res = await bob.post(inbox, '['.repeat(1024 * 1024 - 16), { sign: false });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('signature: no Signature header');
    expect(stored()).toBe(before);
  });

  it('the same body with a forged digest is refused before parsing: 401 bad digest', async () => {
    const body = '['.repeat(100_000);
    const res = await bob.post(inbox, body, { mutate: (h) => ({ headers: h, body: body.replace(/\[$/, '{') }) });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatch(/Digest does not match/);
  });

  it.each([
    ['nesting deeper than 64', () => `${'['.repeat(65)}${']'.repeat(65)}`, /nested deeper than 64/],
    ['a megabyte of "[", signed', () => '['.repeat(1024 * 1024 - 16), /nested deeper than 64/],
    ['an array of 10 001 elements', () => JSON.stringify(activity({ x: new Array(10_001).fill(0) })), /more than 10000 elements/],
    ['1001 addressees', () => JSON.stringify(activity({ to: Array.from({ length: 1001 }, (_, i) => `https://x.example/u/${i}`) })), /to has more than 1000/],
    ['1001 tags on the object', () => JSON.stringify(activity({ type: 'Create', object: { id: `${bob.actorId}/n/${seq}`, type: 'Note', tag: new Array(1001).fill({ type: 'Hashtag', name: '#x' }) } })), /tag has more than 1000/],
    ['content of 300 000 characters', () => JSON.stringify(activity({ type: 'Create', object: { id: `${bob.actorId}/n/${seq}`, type: 'Note', content: 'x'.repeat(300_000) } })), /content is longer than/],
    ['a contentMap entry of 300 000 characters', () => JSON.stringify(activity({ type: 'Create', object: { id: `${bob.actorId}/n/${seq}`, type: 'Note', contentMap: { en: 'x'.repeat(300_000) } } })), /content is longer than/],
  ])('signed but %s: 413, nothing stored', async (_what, body, message) => {
    const before = stored();
    const res = await signedRaw(body());
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatch(message);
    expect(stored()).toBe(before);
  });

  it.each([
    ['not JSON', () => '{"id": '],
    ['a JSON array', () => '[{"id":"x"}]'],
    ['a JSON string', () => '"Like"'],
  ])('signed but %s: 400, nothing stored', async (_what, body) => {
    const before = stored();
    const res = await signedRaw(body());
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('body is not a JSON object');
    expect(stored()).toBe(before);
  });
});

describe('no fetch amplification', () => {
  beforeEach(() => {
    bob.fetched.length = 0;
    other.fetched.length = 0;
  });

  it('a key on another host than the actor is never fetched: 401 for each, 0 GETs', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await bob.post(inbox, activity(), { keyId: `${other.origin}/users/bob#main-key` });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toBe('signature: the key and the activity actor are on different hosts');
    }
    expect(other.fetched).toEqual([]);
    expect(bob.fetched).toEqual([]);
  });

  it('a key that cannot be fetched is asked for once, however often it is named', async () => {
    const missingKey = `${bob.origin}/users/ghost#main-key`;
    const ghost = `${bob.origin}/users/ghost`;
    for (let i = 0; i < 5; i++) {
      const res = await bob.post(inbox, activity({ actor: ghost, id: `${ghost}/likes/${++seq}` }), { keyId: missingKey });
      expect(res.status).toBe(401);
    }
    expect(bob.fetched.filter((p) => p.startsWith('/users/ghost'))).toEqual(['/users/ghost']);
  });

  it('concurrent first requests from one actor fetch its key once', async () => {
    outpost.running.instance.actors.forget(bob.actorId);
    const before = stored();
    const results = await Promise.all(Array.from({ length: 8 }, () => bob.post(inbox, activity())));
    expect(results.map((r) => r.status)).toEqual(new Array(8).fill(202));
    expect(bob.fetched.filter((p) => p === '/users/bob')).toHaveLength(1);
    expect(stored()).toBe(before + 8);
  });
});

describe('rate limits', () => {
  it('one host sending more than its burst gets 429 with Retry-After, and the refused are not stored', async () => {
    const bodies = Array.from({ length: 560 }, () => JSON.stringify(activity()));
    const before = stored();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < bodies.length; i += 40) {
      const batch = await Promise.all(bodies.slice(i, i + 40).map((b) => bob.post(inbox, b)));
      for (const r of batch) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter ??= r.headers.get('retry-after');
      }
    }
    const accepted = statuses.filter((s) => s === 202).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(accepted + limited).toBe(bodies.length);
    expect(limited).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(stored()).toBe(before + accepted);
  });

  it('requests naming no key share one bucket: an unsigned flood gets 429 too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 560; i += 40) {
      const batch = await Promise.all(Array.from({ length: 40 }, () => bob.post(inbox, activity(), { sign: false })));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('another host is not limited by the first one\'s flood', async () => {
    const res = await other.post(inbox, { ...activity(), id: `${other.actorId}/likes/${++seq}`, actor: other.actorId });
    expect(res.status).toBe(202);
  });
});
