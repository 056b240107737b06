// The case this app is for: an identity started on a throwaway URL (A) moves to the user's
// own domain (B) without losing followers (C). Three real instances on loopback, driven
// through their admin APIs and public HTTP only: B lists A as an alias, A moves to B, C's
// follow moves to B by itself (C verifies both documents first), and A keeps answering for
// its old posts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';

let a: TestOutpost;
let b: TestOutpost;
let c: TestOutpost;
let oldNoteUri = '';

const getJson = async (url: string) => {
  const res = await fetch(url, { headers: { accept: 'application/activity+json' } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  [a, b, c] = await Promise.all([
    startOutpost({ host: '127.0.1.61', username: 'olde' }),
    startOutpost({ host: '127.0.1.62', username: 'newe' }),
    startOutpost({ host: '127.0.1.63', username: 'cleo' }),
  ]);
});

afterAll(async () => {
  await Promise.all([a, b, c].map((i) => i?.stop()));
});

describe('moving an account from A to B, with a follower on C', () => {
  it('C follows A, and A posts', async () => {
    await c.rpc('follow', { handle: a.handle });
    await eventually(async () => (await c.rpc('following')).find((f) => f.actor.uri === a.actor && f.state === 'accepted'), 10_000, 'C follows A');
    const { noteId, activityId } = await a.rpc('compose', { content: 'posted before the move' });
    await eventually(async () => (await a.rpc('deliveryProgress', { activityId })).delivered === 1, 10_000, 'delivered to C');
    oldNoteUri = `${a.publicUrl}/notes/${noteId}`;
    // Pinned: served in the featured collection the actor document names.
    await a.rpc('pin', { noteId });
    const featuredUrl = (await getJson(a.actor)).body.featured as string;
    expect((await getJson(featuredUrl)).body.orderedItems.map((n: { id: string }) => n.id)).toEqual([oldNoteUri]);
  });

  it('A cannot move to B before B lists A as an alias', async () => {
    const res = await a.rpcRaw('moveAccount', { target: b.handle });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/does not list this account/);
    expect((await a.rpc('aliases')).movedTo).toBeNull();
  });

  it('B adds A as an alias: alsoKnownAs on its actor document', async () => {
    const res = await b.rpc('addAlias', { handle: `@${a.handle}` });
    expect(res.aliases.map((x) => x.uri)).toEqual([a.actor]);
    expect((await getJson(b.actor)).body.alsoKnownAs).toEqual([a.actor]);
    expect((await b.rpcRaw('addAlias', { handle: b.handle })).status).toBe(409); // not itself
  });

  it('A moves to B: movedTo on its document, and C follows B instead, told why', async () => {
    const res = await a.rpc('moveAccount', { target: b.handle });
    expect(res.movedTo?.uri).toBe(b.actor);
    expect((await getJson(a.actor)).body.movedTo).toBe(b.actor);

    await eventually(async () => (await c.rpc('following')).find((f) => f.actor.uri === b.actor && f.state === 'accepted'), 15_000, 'C follows B');
    expect((await c.rpc('following')).map((f) => f.actor.uri)).toEqual([b.actor]);
    // B accepted C's follow as any other.
    expect((await b.rpc('followers')).map((f) => [f.actor.uri, f.state])).toEqual([[c.actor, 'accepted']]);
    const move = (await c.rpc('notifications')).notifications.find((n) => n.type === 'move')!;
    expect([move.actor.uri, move.target?.uri]).toEqual([a.actor, b.actor]);
    // C shows A as moved.
    expect((await c.rpc('lookup', { handle: a.handle })).actor.movedTo).toBe(b.actor);
  });

  it('A still answers for its old posts, and says where it went', async () => {
    const note = await getJson(oldNoteUri);
    expect(note.status).toBe(200);
    expect(note.body.content).toContain('posted before the move');
    expect((await a.rpc('aliases')).movedTo?.uri).toBe(b.actor);
    expect((await a.rpc('status')).handle).toBe(a.handle);
  });
});
