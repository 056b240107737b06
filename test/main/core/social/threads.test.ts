// A post's thread: the walk up `inReplyTo` (fetching what is missing, bounded by a depth cap
// and a deadline, safe against loops and documents that are not what was asked for) and
// the replies below it (stored ones, plus a remote post's `replies` collection, read once
// per cache period).
import { describe, expect, it } from 'vitest';
import { world, type World } from '../support/world';
import type { Json } from '../../../../src/main/core/federation/activityStreams';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** A public post by `actor` at `id`. */
function post(id: string, actor: string, inReplyTo: string | null, extra: Json = {}): Json {
  return {
    id, type: 'Note', attributedTo: actor, content: `<p>post ${id.split('/').pop()}</p>`, inReplyTo,
    published: '2025-01-15T10:00:00Z', to: [PUBLIC], cc: [`${actor}/followers`], ...extra,
  };
}

/** A remote server with a chain of `n` posts, each replying to the one before; returns their ids (oldest first). */
function chain(w: World, n: number, origin = 'https://chain.example'): { ids: string[]; actor: string } {
  const bob = w.remote('mastodon', origin);
  const ids = Array.from({ length: n }, (_, i) => `${bob.actorId}/statuses/${i + 1}`);
  ids.forEach((id, i) => w.serve(post(id, bob.actorId, i === 0 ? null : ids[i - 1]!)));
  return { ids, actor: bob.actorId };
}

/** Stores the last post of a chain as if it had arrived (a reply the user was sent) and opens its thread. */
async function openLast(w: World, ids: string[]) {
  const last = await w.conversations.fetcher.fetch(ids.at(-1)!);
  w.web.fetched.length = 0;
  return w.conversations.thread(last.id);
}

describe('thread: ancestors', () => {
  it('walks up the inReplyTo chain, fetching the missing parents and storing them so they can be replied to', async () => {
    const w = world();
    const { ids } = chain(w, 4);
    const t = await openLast(w, ids);
    expect(t.ancestors.map((n) => n.uri)).toEqual(ids.slice(0, 3));
    expect(t.note.uri).toBe(ids[3]);
    expect(t.missingAncestor).toBeNull();
    expect(w.web.fetched.filter((u) => ids.slice(0, 3).includes(u))).toEqual([ids[2], ids[1], ids[0]]);
    const parent = w.notes.byUri(ids[2]!)!;
    const reply = await w.actions.compose({ content: 'me too', inReplyTo: parent.id });
    expect(w.notes.byId(reply.noteId)!.inReplyTo).toBe(ids[2]);
    // Stored now: opening again fetches nothing up the chain.
    w.web.fetched.length = 0;
    await w.conversations.thread(w.notes.byUri(ids[3]!)!.id);
    expect(w.web.fetched.filter((u) => ids.slice(0, 3).includes(u))).toEqual([]);
  });

  it('stops at the depth cap and names the first parent it did not load', async () => {
    const w = world();
    const { ids } = chain(w, 30);
    const t = await openLast(w, ids);
    expect(t.ancestors).toHaveLength(20);
    expect(t.ancestors[0]!.uri).toBe(ids[9]);
    expect(t.missingAncestor).toBe(ids[8]);
    expect(w.web.fetched.filter((u) => ids.slice(0, 29).includes(u))).toHaveLength(20);
  });

  it('survives a hostile inReplyTo loop (a → b → a) and a post answering itself', async () => {
    const w = world();
    const bob = w.remote('mastodon', 'https://loop.example');
    const a = `${bob.actorId}/statuses/a`;
    const b = `${bob.actorId}/statuses/b`;
    const self = `${bob.actorId}/statuses/self`;
    w.serve(post(a, bob.actorId, b));
    w.serve(post(b, bob.actorId, a));
    w.serve(post(self, bob.actorId, self));
    const ta = await openLast(w, [a]);
    expect(ta.ancestors.map((n) => n.uri)).toEqual([b]);
    expect(ta.missingAncestor).toBeNull();
    expect(w.web.fetched.filter((u) => u === b)).toEqual([b]);
    const ts = await openLast(w, [self]);
    expect(ts.ancestors).toEqual([]);
    expect(ts.missingAncestor).toBeNull();
  });

  it('refuses a parent document whose id is not the one asked for, or whose author is on another host', async () => {
    const w = world();
    const bob = w.remote('mastodon', 'https://honest.example');
    const mallory = w.remote('misskey', 'https://mallory.example');
    const child = `${bob.actorId}/statuses/child`;
    const parent = `${bob.actorId}/statuses/parent`;
    // The parent's URL answers with another post (an id elsewhere): not taken.
    w.serve(post(child, bob.actorId, parent));
    w.web.documents.set(parent, post(`${mallory.actorId}/notes/fake`, mallory.actorId, null));
    const t = await openLast(w, [child]);
    expect(t.ancestors).toEqual([]);
    expect(t.missingAncestor).toBe(parent);
    expect(w.notes.byUri(`${mallory.actorId}/notes/fake`)).toBeUndefined();
    // A post on bob's host claiming mallory as its author: not taken either.
    const child2 = `${bob.actorId}/statuses/child2`;
    const parent2 = `${bob.actorId}/statuses/parent2`;
    w.serve(post(child2, bob.actorId, parent2));
    w.serve(post(parent2, mallory.actorId, null));
    const t2 = await openLast(w, [child2]);
    expect(t2.missingAncestor).toBe(parent2);
    expect(w.notes.byUri(parent2)).toBeUndefined();
  });

  it('shows what it has when a parent cannot be fetched (gone) or the walk runs out of time', async () => {
    const w = world();
    const { ids } = chain(w, 3);
    w.web.documents.delete(ids[0]!);
    const t = await openLast(w, ids);
    expect(t.ancestors.map((n) => n.uri)).toEqual([ids[1]]);
    expect(t.missingAncestor).toBe(ids[0]);

    // A server that never answers: the walk's deadline ends the wait (else this test would time out).
    const slow = world('alice', { threads: { ancestorsDeadlineMs: 150 } });
    const s = chain(slow, 3, 'https://slow.example');
    const get = slow.web.client.getActivityJson.bind(slow.web.client);
    slow.web.client.getActivityJson = async (url: string, opts?: { deadline?: number }) => {
      if (url === s.ids[0]) return new Promise<never>(() => {});
      return get(url, opts);
    };
    const ts = await openLast(slow, s.ids);
    expect(ts.ancestors.map((n) => n.uri)).toEqual([s.ids[1]]);
    expect(ts.missingAncestor).toBe(s.ids[0]);
  });
});

describe('thread: descendants', () => {
  it('lists stored replies depth first, each after its parent', async () => {
    const w = world();
    const root = await w.post('root post');
    w.now += 1000;
    const r1 = await w.actions.compose({ content: 'first reply', inReplyTo: root.id });
    w.now += 1000;
    const r2 = await w.actions.compose({ content: 'second reply', inReplyTo: root.id });
    w.now += 1000;
    const r11 = await w.actions.compose({ content: 'reply to the first', inReplyTo: r1.noteId });
    const t = await w.conversations.thread(root.id);
    expect(t.descendants.map((n) => n.id)).toEqual([r1.noteId, r11.noteId, r2.noteId]);
    expect(t.ancestors).toEqual([]);
    const mid = await w.conversations.thread(r1.noteId);
    expect(mid.ancestors.map((n) => n.id)).toEqual([root.id]);
    expect(mid.descendants.map((n) => n.id)).toEqual([r11.noteId]);
  });

  it("reads a remote post's replies collection (first pages, capped), takes only real replies, and not again within the cache period", async () => {
    const w = world();
    const bob = w.remote('mastodon', 'https://talk.example');
    const carol = w.remote('misskey', 'https://other.example');
    const root = `${bob.actorId}/statuses/root`;
    const replies = `${root}/replies`;
    const page2 = `${replies}?page=2`;
    const page3 = `${replies}?page=3`;
    w.serve(post(root, bob.actorId, null, {
      replies: { id: replies, type: 'Collection', first: { type: 'CollectionPage', partOf: replies, next: page2, items: [`${root}/r1`] } },
    }));
    w.serve({ id: page2, type: 'CollectionPage', partOf: replies, next: page3, items: [`${carol.actorId}/notes/r2`, `${bob.actorId}/statuses/unrelated`] });
    w.serve({ id: page3, type: 'CollectionPage', partOf: replies, next: `${replies}?page=4`, items: [`${root}/r3`] });
    w.serve({ id: `${replies}?page=4`, type: 'CollectionPage', partOf: replies, items: [`${root}/r4`] });
    w.serve(post(`${root}/r1`, bob.actorId, root));
    w.serve(post(`${carol.actorId}/notes/r2`, carol.actorId, root));
    w.serve(post(`${bob.actorId}/statuses/unrelated`, bob.actorId, null));
    w.serve(post(`${root}/r3`, bob.actorId, root));
    w.serve(post(`${root}/r4`, bob.actorId, root));
    const stored = await w.conversations.fetcher.fetch(root);
    const t = await w.conversations.thread(stored.id);
    // Three pages at most (the default): r4 on the fourth is not read; the unrelated post is not stored.
    expect(t.descendants.map((n) => n.uri).sort()).toEqual([`${carol.actorId}/notes/r2`, `${root}/r1`, `${root}/r3`].sort());
    expect(w.notes.byUri(`${bob.actorId}/statuses/unrelated`)).toBeUndefined();
    expect(w.web.fetched).not.toContain(`${replies}?page=4`);

    w.web.fetched.length = 0;
    await w.conversations.thread(stored.id);
    expect(w.web.fetched).toEqual([]);
    w.now += 6 * 60_000;
    await w.conversations.thread(stored.id);
    expect(w.web.fetched).toContain(root);
  });

  it('does not follow a replies collection on another host', async () => {
    const w = world();
    const bob = w.remote('mastodon', 'https://here.example');
    const root = `${bob.actorId}/statuses/root`;
    w.serve(post(root, bob.actorId, null, { replies: 'https://elsewhere.example/crawl-me' }));
    const stored = await w.conversations.fetcher.fetch(root);
    w.web.fetched.length = 0;
    await w.conversations.thread(stored.id);
    expect(w.web.fetched).toEqual([root]);
  });
});
