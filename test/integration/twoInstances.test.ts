// Two real Outpost instances on their own loopback origins federate with each other,
// driven only through their admin APIs; every request between them is signed and verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { verifyIncoming } from '../support/remote/signing';

let a: TestOutpost;
let b: TestOutpost;
const inboxVerdicts: { to: string; status: number }[] = [];
const outgoing: { from: TestOutpost; method: string; url: string; headers: Record<string, string>; body?: string }[] = [];

beforeAll(async () => {
  a = await startOutpost({ host: '127.0.1.1', username: 'alice' });
  b = await startOutpost({ host: '127.0.1.2', username: 'bob' });
  // Record every inbox answer: a rejected signature would show up as a 401 here.
  for (const inst of [a, b]) {
    const http = inst.running.instance.http;
    const send = http.request.bind(http);
    http.request = async (url, opts) => {
      outgoing.push({ from: inst, method: opts.method ?? 'GET', url, headers: { ...opts.headers }, body: opts.body?.toString() });
      return send(url, opts);
    };
    const handler = inst.running.instance.inboxHandler;
    const original = handler.handle.bind(handler);
    handler.handle = async (req) => {
      const res = await original(req);
      inboxVerdicts.push({ to: inst.handle, status: res.status });
      return res;
    };
  }
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe('two instances federating over loopback', () => {
  it('A follows B by handle and B auto-accepts', async () => {
    const res = await a.rpc('follow', { handle: `@${b.handle}` });
    expect(res.state).toBe('pending');
    expect(res.actor.uri).toBe(b.actor);
    await eventually(async () => (await a.rpc('following')).find((f) => f.actor.uri === b.actor && f.state === 'accepted'), 10_000, 'Accept');
    const followers = await b.rpc('followers');
    expect(followers.map((f) => [f.actor.uri, f.state])).toEqual([[a.actor, 'accepted']]);
    const notes = await b.rpc('notifications');
    expect(notes.notifications.map((n) => [n.type, n.actor.uri])).toEqual([['follow', a.actor]]);
  });

  let bNoteUri = '';
  it("B posts and A's home timeline shows it", async () => {
    const { noteId, activityId } = await b.rpc('compose', { content: 'Hello from #bob, see https://example.org/x' });
    const progress = await eventually(async () => {
      const p = await b.rpc('deliveryProgress', { activityId });
      return p.delivered === 1 ? p : undefined;
    }, 10_000, 'delivery to A');
    expect(progress.total).toBe(1);
    const entry = await eventually(async () => (await a.rpc('timeline', {})).entries.find((e) => e.note.author.uri === b.actor), 10_000, 'note on A');
    expect(entry.note.contentHtml).toContain('Hello from');
    expect(entry.note.hashtags).toEqual(['bob']);
    bNoteUri = entry.note.uri;
    expect(bNoteUri).toContain(noteId);
  });

  let aReplyId = '';
  it('A replies to B\'s post, mentioning B: B gets a reply notification (a reply, not a mention)', async () => {
    const timeline = await a.rpc('timeline', {});
    const bNote = timeline.entries.find((e) => e.note.uri === bNoteUri)!.note;
    const reply = await a.rpc('compose', { content: `@${b.handle} nice post!`, inReplyTo: bNote.id });
    aReplyId = reply.noteId;
    const n = await eventually(async () => (await b.rpc('notifications')).notifications.find((x) => x.type === 'reply'), 10_000, 'reply');
    expect((await b.rpc('notifications')).notifications.filter((x) => x.type === 'mention')).toEqual([]);
    expect(n.actor.uri).toBe(a.actor);
    expect(n.note?.inReplyTo).toBe(bNoteUri);
    expect(n.note?.contentHtml).toContain('nice post!');
    expect(n.note?.contentHtml).toContain('class="u-url mention"');
  });

  it('B likes and boosts A\'s post and A gets both notifications', async () => {
    const reply = (await b.rpc('notifications')).notifications.find((x) => x.type === 'reply')!;
    const onB = reply.note!;
    await b.rpc('like', { noteId: onB.id });
    await b.rpc('boost', { noteId: onB.id });
    const got = await eventually(async () => {
      const list = (await a.rpc('notifications')).notifications;
      const like = list.find((x) => x.type === 'like');
      const boost = list.find((x) => x.type === 'boost');
      return like && boost ? { like, boost } : undefined;
    }, 10_000, 'like and boost notifications');
    expect(got.like.actor.uri).toBe(b.actor);
    expect(got.like.note?.id).toBe(aReplyId);
    expect(got.boost.actor.uri).toBe(b.actor);
    const mine = (await a.rpc('timeline', {})).entries.find((e) => e.note.id === aReplyId)!;
    expect(mine.note.likeCount).toBe(1);
    expect(mine.note.boostCount).toBe(1);
  });

  it('notifications are marked read on the instance, up to the newest one shown', async () => {
    const before = (await a.rpc('notifications')).notifications;
    expect(before.some((n) => !n.read)).toBe(true);
    await a.rpc('markNotificationsRead', { upTo: before[0]!.id });
    const after = (await a.rpc('notifications')).notifications;
    expect(after.every((n) => n.read)).toBe(true);
  });

  it("A unfollows and B's followers list updates", async () => {
    await a.rpc('unfollow', { handle: b.handle });
    await eventually(async () => (await b.rpc('followers')).length === 0, 10_000, 'follower removed');
    expect(await a.rpc('following')).toEqual([]);
  });

  it('a note deleted on B disappears from A', async () => {
    // Follow again so B's posts reach A, post, then delete.
    await a.rpc('follow', { handle: b.handle });
    await eventually(async () => (await a.rpc('following')).find((f) => f.state === 'accepted'), 10_000, 'Accept again');
    const { noteId } = await b.rpc('compose', { content: 'this will be deleted' });
    await eventually(async () => (await a.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('will be deleted')), 10_000, 'note on A');
    await b.rpc('deleteNote', { noteId });
    await eventually(async () => !(await a.rpc('timeline', {})).entries.some((e) => e.note.contentHtml.includes('will be deleted')), 10_000, 'note gone from A');
  });

  it('every inbox request between them was signed and accepted', () => {
    expect(inboxVerdicts.length).toBeGreaterThanOrEqual(10);
    expect(inboxVerdicts.filter((v) => v.status !== 202)).toEqual([]);
  });

  it('every request either sent (GETs included) carries a valid signature by its actor key', async () => {
    expect(outgoing.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
    for (const r of outgoing) {
      const url = new URL(r.url);
      const lookup = async (keyId: string) => {
        const actorDoc = await (await fetch(r.from.actor, { headers: { accept: 'application/activity+json' } })).json() as any;
        return keyId === actorDoc.publicKey.id ? { owner: actorDoc.id as string, publicKey: actorDoc.publicKey.publicKeyPem as string } : null;
      };
      const verdict = await verifyIncoming({ method: r.method, url: url.pathname + url.search, headers: { host: url.host, ...r.headers } },
        r.body !== undefined ? Buffer.from(r.body) : undefined, lookup);
      expect(verdict).toMatchObject({ ok: true, signer: r.from.actor });
    }
  });
});
