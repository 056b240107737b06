// Real-world inbox payloads (test/fixtures/inbox) from Mastodon, Misskey, GoToSocial and
// Pleroma, signed and POSTed to a real Outpost by a fake remote server. Everything is
// checked the way a user (admin API) or the remote (what it receives) would see it.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote, SERVER_KINDS, type ServerKind } from '../support/remote/fakeRemote';
import type { NotificationDto } from '../../src/shared/dto';

/** What each server's fixtures say, as a reader would see it. */
const EXPECT: Record<ServerKind, { mention: string; edited: string; reply: string; cw: string; name: string; renamed: string }> = {
  mastodon: {
    mention: 'testing federation with Outpost', edited: '(edited: now with fewer typos)', reply: 'That ending though',
    cw: 'spoilers for the season finale', name: 'Bob 🐘', renamed: 'Robert (Bob) 🐘',
  },
  misskey: {
    mention: 'hello from Misskey!', edited: '(edited)', reply: 'That ending though',
    cw: 'ネタバレ注意 / finale spoilers', name: 'ボブ :blobcat:', renamed: 'Robert (ボブ)',
  },
  gotosocial: {
    mention: 'testing federation with Outpost', edited: '(edited: fixed a typo)', reply: 'that ending though',
    cw: 'spoilers for the season finale', name: 'bob (gts)', renamed: 'Robert (gts)',
  },
  pleroma: {
    mention: 'hello from Pleroma!', edited: '(edited)', reply: 'that ending though',
    cw: 'spoilers for the season finale', name: 'bob :pleroma:', renamed: 'Robert (pleroma)',
  },
};

describe.each(SERVER_KINDS.map((kind, i) => ({ kind, i })))('inbox fixtures from $kind', ({ kind, i }) => {
  const want = EXPECT[kind];
  let outpost: TestOutpost;
  let remote: FakeRemote;
  let sharedInbox = '';
  let personalInbox = '';
  let localNote = { id: '', uri: '' };
  let followId = '';

  const post = async (url: string, activity: unknown) => {
    const res = await remote.post(url, activity);
    expect(res.status, `${url} answered ${res.status}: ${await res.clone().text()}`).toBe(202);
  };
  /** Waits until everything stored so far has been processed (negative checks need a barrier). */
  const settled = () => outpost.running.instance.inboxProcessor.drain();
  const notifications = async () => (await outpost.rpc('notifications', {})).notifications;
  const fromRemote = (list: NotificationDto[], type: string) => list.filter((n) => n.type === type && n.actor.uri === remote.actorId);
  const timelineNote = async (uri: string) => (await outpost.rpc('timeline', {})).entries.find((e) => e.note.uri === uri && !e.boostedBy);
  const myNote = async () => (await outpost.rpc('timeline', {})).entries.find((e) => e.note.id === localNote.id && !e.boostedBy)!.note;

  beforeAll(async () => {
    outpost = await startOutpost({ host: '127.0.1.10', username: 'alice' });
    sharedInbox = `${outpost.publicUrl}/inbox`;
    personalInbox = `${outpost.actor}/inbox`;
    remote = await new FakeRemote({
      host: `127.0.1.${20 + i}`, kind,
      vars: { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` },
    }).start();

    await outpost.rpc('compose', { content: 'Season finale tonight! #tv' });
    localNote = (await outpost.rpc('timeline', {})).entries[0]!.note;
    remote.vars.LOCAL_NOTE = localNote.uri;

    await outpost.rpc('follow', { handle: remote.handle });
    const follow = await eventually(() => remote.received.find((r) => r.json?.type === 'Follow'), 10_000, "alice's Follow");
    expect(follow.signatureValid).toBe(true);
    expect(follow.json.object).toBe(remote.actorId);
    followId = follow.json.id;
    remote.vars.LOCAL_FOLLOW = followId;
  });

  afterAll(async () => {
    await outpost?.stop();
    await remote?.stop();
  });

  it('follow: accepted, answered with a signed Accept, notified', async () => {
    const follow = remote.fixture('follow');
    await post(personalInbox, follow);
    const followers = await eventually(async () => {
      const list = await outpost.rpc('followers');
      return list.some((f) => f.state === 'accepted') ? list : undefined;
    }, 10_000, 'accepted follower');
    expect(followers.map((f) => [f.actor.uri, f.state])).toEqual([[remote.actorId, 'accepted']]);
    expect(followers[0]!.actor.name).toBe(want.name);

    const accept = await eventually(() => remote.received.find((r) => r.json?.type === 'Accept'), 10_000, 'Accept at the remote');
    expect(accept.signatureValid).toBe(true);
    expect(accept.signer).toBe(outpost.actor);
    expect(accept.path).toBe(new URL(remote.actor.inbox).pathname);
    expect(accept.json.actor).toBe(outpost.actor);
    const object = typeof accept.json.object === 'string' ? accept.json.object : accept.json.object.id;
    expect(object).toBe(follow.id);

    const n = fromRemote(await notifications(), 'follow');
    expect(n).toHaveLength(1);
    expect(n[0]!.actor.name).toBe(want.name);
  });

  it('the same Follow posted again changes nothing', async () => {
    const acceptsBefore = remote.received.filter((r) => r.json?.type === 'Accept').length;
    await post(sharedInbox, remote.fixture('follow'));
    await settled();
    expect(fromRemote(await notifications(), 'follow')).toHaveLength(1);
    expect((await outpost.rpc('followers')).map((f) => f.state)).toEqual(['accepted']);
    // A second Accept would have been queued by now: let the outgoing queue empty, then count.
    await eventually(async () => {
      const q = await outpost.rpc('queueStats');
      return q.queued === 0 && q.inFlight === 0;
    }, 10_000, 'outgoing queue idle');
    expect(remote.received.filter((r) => r.json?.type === 'Accept')).toHaveLength(acceptsBefore);
  });

  it('undo-follow removes the follower', async () => {
    await post(sharedInbox, remote.fixture('undo-follow'));
    await eventually(async () => (await outpost.rpc('followers')).length === 0, 10_000, 'follower removed');
    expect((await outpost.rpc('status')).counts.followers).toBe(0);
  });

  it("accept-follow accepts alice's follow", async () => {
    expect((await outpost.rpc('following')).map((f) => [f.actor.uri, f.state])).toEqual([[remote.actorId, 'pending']]);
    await post(personalInbox, remote.fixture('accept-follow'));
    await eventually(async () => (await outpost.rpc('following')).find((f) => f.actor.uri === remote.actorId && f.state === 'accepted'), 10_000, 'following accepted');
  });

  it('create-note-mention: a mention notification with sanitized HTML, hashtags, and a home timeline entry', async () => {
    const create = remote.fixture('create-note-mention');
    await post(sharedInbox, create);
    const n = await eventually(async () => fromRemote(await notifications(), 'mention')[0], 10_000, 'mention notification');
    const note = n.note!;
    expect(note.uri).toBe(create.object.id);
    expect(note.author.uri).toBe(remote.actorId);
    expect(note.local).toBe(false);
    expect(note.visibility).toBe('public');
    expect(note.contentHtml).toContain(want.mention);
    expect(note.contentHtml).toContain('href="https://example.com/outpost/federation-notes"');
    expect(note.contentHtml).toMatch(/<a [^>]*rel="nofollow noopener noreferrer"/);
    expect(note.contentHtml).not.toMatch(/translate=|data-user=/);
    expect(note.hashtags).toEqual(['outpost']);
    expect(note.mentions).toContain(`@alice@${new URL(outpost.actor).host}`);
    expect(note.summary).toBeNull();
    // alice follows the author (accepted), so the note is in her home timeline too.
    const entry = await timelineNote(create.object.id);
    expect(entry?.note.contentHtml).toBe(note.contentHtml);
  });

  it('the same Create posted again gives one note and one notification', async () => {
    const create = remote.fixture('create-note-mention');
    await post(personalInbox, create);
    await settled();
    expect(fromRemote(await notifications(), 'mention')).toHaveLength(1);
    const entries = (await outpost.rpc('timeline', {})).entries.filter((e) => e.note.uri === create.object.id);
    expect(entries).toHaveLength(1);
  });

  it("update-note changes the note's content", async () => {
    const update = remote.fixture('update-note');
    await post(sharedInbox, update);
    const entry = await eventually(async () => {
      const e = await timelineNote(update.object.id);
      return e?.note.contentHtml.includes(want.edited) ? e : undefined;
    }, 10_000, 'edited content');
    expect(entry.note.contentHtml).toContain(want.mention);
    expect(entry.note.hashtags).toEqual(['outpost']);
    const n = fromRemote(await notifications(), 'mention')[0]!;
    expect(n.note?.contentHtml).toContain(want.edited);
  });

  it('a later edit sent under the same Update id (as GoToSocial does) is applied too', async () => {
    const update = remote.fixture('update-note');
    update.object.content = update.object.content.replace(want.edited, '(edited twice)');
    if (update.object.contentMap) update.object.contentMap = { en: update.object.content };
    update.object.updated = new Date(Date.parse(update.object.updated) + 60_000).toISOString();
    await post(sharedInbox, update);
    await eventually(async () => (await timelineNote(update.object.id))?.note.contentHtml.includes('(edited twice)'), 10_000, 'second edit');
  });

  it('create-note-reply: a reply to alice\'s post is a reply, though it mentions her too; the content warning is kept as plain text', async () => {
    const create = remote.fixture('create-note-reply');
    await post(personalInbox, create);
    const n = await eventually(async () => fromRemote(await notifications(), 'reply').find((x) => x.note?.uri === create.object.id), 10_000, 'reply notification');
    expect(fromRemote(await notifications(), 'mention').filter((x) => x.note?.uri === create.object.id)).toHaveLength(0);
    expect(n.note!.inReplyTo).toBe(localNote.uri);
    expect(n.note!.summary).toBe(want.cw);
    expect(n.note!.contentHtml).toContain(want.reply);
    expect((await myNote()).replyCount).toBe(1);
  });

  it('a reply that does not mention alice gives a reply notification', async () => {
    const create = remote.fixture('create-note-reply');
    const noteId = `${create.object.id}-nomention`;
    create.id = `${create.id}-nomention`;
    create.object.id = noteId;
    create.object.tag = [];
    for (const o of [create, create.object]) {
      for (const k of ['to', 'cc']) {
        o[k] = [o[k] ?? []].flat().filter((a: string) => a !== outpost.actor);
      }
    }
    await post(sharedInbox, create);
    const n = await eventually(async () => fromRemote(await notifications(), 'reply').find((x) => x.note?.uri === noteId), 10_000, 'reply notification');
    expect(n.note!.uri).toBe(noteId);
    expect(n.note!.summary).toBe(want.cw);
    expect((await myNote()).replyCount).toBe(2);
  });

  it('create-note-malicious: scripts, handlers, javascript: links, iframes and styles are removed', async () => {
    const create = remote.fixture('create-note-malicious');
    await post(sharedInbox, create);
    const n = await eventually(async () => fromRemote(await notifications(), 'mention').find((x) => x.note?.uri === create.object.id), 10_000, 'malicious note');
    const html = n.note!.contentHtml;
    for (const bad of ['<script', 'onerror', 'onclick', 'onmouseover', 'javascript:', '<iframe', 'style=', '<img', 'alert(', 'evil.example']) {
      expect(html.toLowerCase(), bad).not.toContain(bad);
    }
    for (const good of ['look at this', 'click anywhere', 'hover']) expect(html).toContain(good);
    expect(n.note!.summary ?? '').not.toMatch(/[<>]|onerror|alert/);
    if (kind === 'misskey') expect(n.note!.summary).toBe('cw');
    // The timeline holds the same stored (sanitized) copy.
    expect((await timelineNote(create.object.id))?.note.contentHtml).toBe(html);
  });

  it("like: a like notification on alice's note; posted twice it counts once; undo-like removes it", async () => {
    const like = remote.fixture('like');
    await post(personalInbox, like);
    const n = await eventually(async () => fromRemote(await notifications(), 'like')[0], 10_000, 'like notification');
    expect(n.note?.id).toBe(localNote.id);
    expect((await myNote()).likeCount).toBe(1);

    await post(sharedInbox, like);
    await settled();
    expect(fromRemote(await notifications(), 'like')).toHaveLength(1);
    expect(fromRemote(await notifications(), 'like')[0]!.count).toBe(1);
    expect((await myNote()).likeCount).toBe(1);

    await post(sharedInbox, remote.fixture('undo-like'));
    await eventually(async () => fromRemote(await notifications(), 'like').length === 0, 10_000, 'like notification removed');
    expect((await myNote()).likeCount).toBe(0);
  });

  it("announce: a boost notification; her post stays once in home (no second entry for the boost); undo-announce removes the notification", async () => {
    const announce = remote.fixture('announce');
    await post(sharedInbox, announce);
    const n = await eventually(async () => fromRemote(await notifications(), 'boost')[0], 10_000, 'boost notification');
    expect(n.note?.id).toBe(localNote.id);
    expect((await myNote()).boostCount).toBe(1);
    // alice follows the booster, but her post is already in her home: it is shown once, where it is.
    const entries = (await outpost.rpc('timeline', { limit: 100 })).entries.filter((e) => e.note.id === localNote.id);
    expect(entries.map((e) => e.boostedBy)).toEqual([null]);

    await post(personalInbox, remote.fixture('undo-announce'));
    await eventually(async () => fromRemote(await notifications(), 'boost').length === 0, 10_000, 'boost notification removed');
    expect((await myNote()).boostCount).toBe(0);
    expect((await outpost.rpc('timeline', {})).entries.filter((e) => e.boostedBy)).toEqual([]);
  });

  it('delete-note removes the note from the timeline and its notification', async () => {
    const uri = remote.fixture('create-note-mention').object.id;
    expect((await timelineNote(uri))?.note.author.uri).toBe(remote.actorId);
    await post(sharedInbox, remote.fixture('delete-note'));
    await eventually(async () => !(await timelineNote(uri)), 10_000, 'note gone');
    expect((await notifications()).filter((x) => x.note?.uri === uri)).toEqual([]);
    // The other notes of that author stay.
    expect(fromRemote(await notifications(), 'mention').length).toBeGreaterThan(0);
  });

  it("update-actor changes the remote's display name", async () => {
    await post(personalInbox, remote.fixture('update-actor'));
    await eventually(async () => (await outpost.rpc('following')).find((f) => f.actor.uri === remote.actorId)?.actor.name === want.renamed, 10_000, 'new name');
    for (const n of fromRemote(await notifications(), 'mention')) expect(n.actor.name).toBe(want.renamed);
    const entry = (await outpost.rpc('timeline', {})).entries.find((e) => e.note.author.uri === remote.actorId)!;
    expect(entry.note.author.name).toBe(want.renamed);
    expect(entry.note.author.summaryHtml).toContain('Renamed!');
  });

  it("reject-follow marks alice's follow rejected, and the author's new notes stay out of her home", async () => {
    await post(sharedInbox, remote.fixture('reject-follow'));
    await eventually(async () => (await outpost.rpc('following')).find((f) => f.actor.uri === remote.actorId)?.state === 'rejected', 10_000, 'rejected');
    expect((await outpost.rpc('status')).counts.following).toBe(0);
    // A public note that does not concern alice is no longer stored for her.
    const create = remote.fixture('create-note-mention');
    create.id = `${create.id}-after-reject`;
    create.object.id = `${create.object.id}-after-reject`;
    create.object.tag = [];
    for (const o of [create, create.object]) {
      for (const k of ['to', 'cc']) o[k] = [o[k] ?? []].flat().filter((a: string) => a !== outpost.actor);
    }
    await post(sharedInbox, create);
    await settled();
    expect(await timelineNote(create.object.id)).toBeUndefined();
  });

  it('before delete-actor: the remote follows alice again and boosts her note', async () => {
    // New ids: the old Follow and Announce were already handled.
    const follow = remote.fixture('follow');
    follow.id = `${follow.id}-again`;
    await post(sharedInbox, follow);
    await eventually(async () => (await outpost.rpc('followers')).some((f) => f.actor.uri === remote.actorId && f.state === 'accepted'), 10_000, 'follower again');
    const announce = remote.fixture('announce');
    announce.id = `${announce.id}-again`;
    await post(personalInbox, announce);
    await eventually(async () => fromRemote(await notifications(), 'boost').length === 1, 10_000, 'boost before delete');
    expect((await notifications()).filter((n) => n.actor.uri === remote.actorId).length).toBeGreaterThan(2);
    expect((await myNote()).replyCount).toBe(2);
  });

  it('delete-actor removes the remote from followers and following, with its notes and notifications', async () => {
    await post(sharedInbox, remote.fixture('delete-actor'));
    await eventually(async () => (await outpost.rpc('followers')).length === 0, 10_000, 'follower gone');
    expect(await outpost.rpc('following')).toEqual([]);
    expect((await notifications()).filter((n) => n.actor.uri === remote.actorId)).toEqual([]);
    const timeline = (await outpost.rpc('timeline', {})).entries;
    expect(timeline.filter((e) => e.note.author.uri === remote.actorId || e.boostedBy?.uri === remote.actorId)).toEqual([]);
    expect(timeline.map((e) => e.note.id)).toEqual([localNote.id]);
    const mine = await myNote();
    expect([mine.likeCount, mine.boostCount, mine.replyCount]).toEqual([0, 0, 0]);
  });
});

// Mastodon answers 410 for a deleted account's actor, and signs the Delete with the key it had.
describe('a Delete of an account whose actor document is already gone', () => {
  let outpost: TestOutpost;
  let remote: FakeRemote;

  beforeAll(async () => {
    outpost = await startOutpost({ host: '127.0.1.10', username: 'alice' });
    remote = await new FakeRemote({
      host: '127.0.1.24', kind: 'mastodon', vars: { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host },
    }).start();
    expect((await remote.post(`${outpost.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
    await eventually(async () => (await outpost.rpc('followers')).some((f) => f.state === 'accepted'), 10_000, 'follower');
    // The cached actor (and key) is older than the cache TTL, and the account is gone now.
    outpost.running.instance.db.prepare('UPDATE actors SET fetched_at = 0 WHERE uri = ?').run(remote.actorId);
    remote.gone = true;
  });

  afterAll(async () => {
    await outpost?.stop();
    await remote?.stop();
  });

  it('a forged one (signed by another key) is refused', async () => {
    const { privateKey: key } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const del = remote.fixture('delete-actor');
    del.id = `${del.id}-forged`;
    expect((await remote.post(`${outpost.actor}/inbox`, del, { key })).status).toBe(401);
  });

  it('is verified with the cached key and queued, not dropped', async () => {
    const del = remote.fixture('delete-actor');
    expect((await remote.post(`${outpost.actor}/inbox`, del)).status).toBe(202);
    const row = outpost.running.instance.db.prepare('SELECT actor_uri FROM inbox_items WHERE activity_uri = ?').get(del.id);
    expect(row).toEqual({ actor_uri: remote.actorId });
  });

  it('removes the follower', async () => {
    await eventually(async () => (await outpost.rpc('followers')).length === 0, 10_000, 'follower gone');
  });
});
