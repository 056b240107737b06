// Polls both ways: remote Questions read and voted on (Mastodon's vote format), and the
// user's own polls — served as Questions, votes counted once per account (and option),
// none after the end, none on posts without a poll, results sent later in one Update.
import { describe, expect, it } from 'vitest';
import { world, type World } from '../support/world';
import { renderNoteDocument } from '../../../../src/main/core/social/renderers';

/** The user's poll, with bob (mastodon) and kim (misskey) following the user. */
async function myPoll(w: World, multiple = false) {
  const bob = w.remote('mastodon');
  const kim = w.remote('misskey');
  await w.followedBy(bob);
  await w.followedBy(kim);
  const { noteId } = await w.actions.compose({
    content: 'Best bird of the week?', poll: { options: ['Wagtail', 'Kingfisher', 'Heron'], multiple, expiresInS: 3600 },
  });
  return { bob, kim, note: w.notes.byId(noteId)! };
}

const vote = (r: ReturnType<World['remote']>, noteUri: string, option: string, n = 1) => {
  const v = r.fixture('create-vote', { LOCAL_NOTE: noteUri, OPTION: option });
  v.id = `${v.id}-${n}`;
  v.object.id = `${v.object.id}-${n}`;
  return v;
};

describe('remote polls', () => {
  it('a Question is stored with its options, counts, end and voters (single and multiple choice)', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const kim = w.remote('misskey');
    const q = bob.fixture('create-question');
    const k = kim.fixture('create-question');
    await w.receive(q);
    await w.receive(k);
    const single = w.views.note(w.notes.byUri(q.object.id)!).poll!;
    expect(single).toEqual({
      multiple: false, votersCount: 3, endsAt: Date.parse('2025-01-18T11:00:00Z'), closed: false, ownVotes: [], own: false,
      options: [{ title: 'Grey wagtail', votes: 2 }, { title: 'Kingfisher', votes: 1 }, { title: 'Heron', votes: 0 }],
    });
    const multi = w.views.note(w.notes.byUri(k.object.id)!).poll!;
    expect(multi.multiple).toBe(true);
    expect(multi.votersCount).toBeNull();
    expect(multi.options).toEqual([{ title: 'Sourdough', votes: 4 }, { title: 'Cinnamon rolls', votes: 6 }]);
    // Past its end, a poll is closed.
    w.now = Date.parse('2025-01-19T00:00:00Z');
    expect(w.views.note(w.notes.byUri(q.object.id)!).poll!.closed).toBe(true);
  });

  it('voting sends one Create(Note) per choice, named after the option, replying to the question, to its author only; never in home', async () => {
    const w = world();
    const kim = w.remote('misskey');
    const k = kim.fixture('create-question');
    await w.receive(k);
    const poll = w.notes.byUri(k.object.id)!;
    const after = await w.conversations.vote(poll.id, [1, 0]);
    const creates = w.deliveries('Create');
    expect(creates.map((d) => d.inbox)).toEqual([kim.inbox, kim.inbox]);
    const objects = creates.map((d) => d.activity.object);
    expect(objects.map((o) => o.name).sort()).toEqual(['Cinnamon rolls', 'Sourdough']);
    for (const [i, o] of objects.entries()) {
      expect(o).toMatchObject({ type: 'Note', inReplyTo: poll.uri, attributedTo: w.identity.actor, to: [kim.actorId] });
      expect(o.content).toBeUndefined();
      expect(creates[i]!.activity.to).toEqual([kim.actorId]);
      expect(creates[i]!.activity.cc).toBeUndefined();
    }
    expect(after.poll!.ownVotes).toEqual([0, 1]);
    expect(after.poll!.options.map((o) => o.votes)).toEqual([5, 7]);
    expect(w.timeline()).toEqual([]);
    expect(w.db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
    await expect(w.conversations.vote(poll.id, [0])).rejects.toThrow(/already voted/);
  });

  it('refuses a vote with a bad choice, two choices in a single-choice poll, on a closed poll, on a post without a poll, on the user\'s own', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const q = bob.fixture('create-question');
    await w.receive(q);
    const poll = w.notes.byUri(q.object.id)!;
    await expect(w.conversations.vote(poll.id, [3])).rejects.toThrow(/between 0 and 2/);
    await expect(w.conversations.vote(poll.id, [0, 1])).rejects.toThrow(/exactly one/);
    const plain = await w.post('no poll here');
    await expect(w.conversations.vote(plain.id, [0])).rejects.toThrow(/no poll/);
    const { note } = await myPoll(w);
    await expect(w.conversations.vote(note.id, [0])).rejects.toThrow(/own poll/);
    w.now = Date.parse('2025-01-19T00:00:00Z');
    await expect(w.conversations.vote(poll.id, [0])).rejects.toThrow(/ended/);
    expect(w.deliveries('Create').filter((d) => d.activity.object.name)).toEqual([]);
  });

  it('an Update(Question) with new counts refreshes the results without marking the post edited', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.receive(bob.fixture('create-question'));
    const update = bob.fixture('update-question');
    expect(await w.receive(update)).toEqual({ error: null });
    const dto = w.views.note(w.notes.byUri(update.object.id)!);
    expect(dto.poll!.options.map((o) => o.votes)).toEqual([3, 1, 1]);
    expect(dto.poll!.votersCount).toBe(5);
    expect(dto.editedAt).toBeNull();
    expect(w.conversations.noteHistory(dto.id)).toHaveLength(1);
  });
});

describe("the user's polls", () => {
  it('are served as a Question with oneOf/anyOf, endTime and votersCount', async () => {
    const w = world();
    const { note } = await myPoll(w, true);
    const doc = renderNoteDocument(w.identity, note);
    expect(doc).toMatchObject({
      type: 'Question', endTime: new Date(w.now + 3_600_000).toISOString(), votersCount: 0,
      anyOf: [
        { type: 'Note', name: 'Wagtail', replies: { type: 'Collection', totalItems: 0 } },
        { type: 'Note', name: 'Kingfisher', replies: { type: 'Collection', totalItems: 0 } },
        { type: 'Note', name: 'Heron', replies: { type: 'Collection', totalItems: 0 } },
      ],
    });
    expect(doc.oneOf).toBeUndefined();
    expect(w.deliveries('Create')[0]!.activity.object.type).toBe('Question');
  });

  it('count one vote per account in a single-choice poll: repeats, other options and votes for no option are dropped', async () => {
    const w = world();
    const { bob, kim, note } = await myPoll(w);
    await w.receive(vote(bob, note.uri, 'Kingfisher', 1));
    await w.receive(vote(bob, note.uri, 'Kingfisher', 2));
    await w.receive(vote(bob, note.uri, 'Heron', 3));
    await w.receive(vote(kim, note.uri, 'Kingfisher', 1));
    await w.receive(vote(kim, note.uri, 'Penguin', 2));
    const dto = w.views.note(w.notes.byId(note.id)!);
    expect(dto.poll!.options.map((o) => o.votes)).toEqual([0, 2, 0]);
    expect(dto.poll!.votersCount).toBe(2);
    // Votes are not posts: nothing stored, nothing notified, nothing in home.
    expect(w.db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
    expect(w.notificationsOf().filter((n) => n.type !== 'follow')).toEqual([]);
  });

  it('count one vote per option and account in a multiple-choice poll', async () => {
    const w = world();
    const { bob, kim, note } = await myPoll(w, true);
    await w.receive(vote(bob, note.uri, 'Wagtail', 1));
    await w.receive(vote(bob, note.uri, 'Heron', 2));
    await w.receive(vote(bob, note.uri, 'Heron', 3));
    await w.receive(vote(kim, note.uri, 'Heron', 1));
    const poll = w.views.note(w.notes.byId(note.id)!).poll!;
    expect(poll.options.map((o) => o.votes)).toEqual([1, 0, 2]);
    expect(poll.votersCount).toBe(2);
  });

  it('ignore votes after the poll closed, votes on posts without a poll, and votes attributed to someone else', async () => {
    const w = world();
    const { bob, kim, note } = await myPoll(w);
    const plain = await w.post('not a poll');
    await w.receive(vote(bob, plain.uri, 'Wagtail', 1));
    expect(w.notes.byId(plain.id)!.poll).toBeNull();
    expect(w.db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 2 });
    const forged = vote(kim, note.uri, 'Wagtail', 9);
    forged.object.attributedTo = bob.actorId;
    await w.receive(forged);
    w.now += 3_600_000;
    await w.receive(vote(bob, note.uri, 'Wagtail', 2));
    expect(w.notes.byId(note.id)!.poll!.options.map((o) => o.votes)).toEqual([0, 0, 0]);
    expect(w.db.prepare('SELECT count(*) AS n FROM poll_votes').get()).toEqual({ n: 0 });
  });

  it('send their results later, in one Update(Question) for all votes, to followers and voters; and close with a last one', async () => {
    const w = world();
    const { bob, kim, note } = await myPoll(w);
    const carol = w.remote('mastodon', 'https://carol.example'); // votes without following
    await w.receive(vote(bob, note.uri, 'Wagtail', 1));
    await w.receive(vote(kim, note.uri, 'Heron', 1));
    await w.receive(vote(carol, note.uri, 'Wagtail', 1));
    expect(w.deliveries('Update')).toEqual([]);
    expect(w.conversations.pollScheduler.runDue()).toBe(0);
    w.now += 60_000;
    expect(w.conversations.pollScheduler.runDue()).toBe(1);
    const updates = w.deliveries('Update');
    expect(new Set(updates.map((u) => u.inbox))).toEqual(new Set([bob.deliveryInbox, kim.deliveryInbox, carol.deliveryInbox]));
    const sent = updates[0]!.activity;
    expect(sent.object.type).toBe('Question');
    expect(sent.object.oneOf.map((o: { replies: { totalItems: number } }) => o.replies.totalItems)).toEqual([2, 0, 1]);
    expect(sent.object.votersCount).toBe(3);
    expect(sent.object.closed).toBeUndefined();
    expect(sent.object.updated).toBeUndefined();
    // The end: one more Update, closed.
    w.now = note.poll!.endsAt!;
    expect(w.conversations.pollScheduler.runDue()).toBe(1);
    const last = w.deliveries('Update').at(-1)!.activity.object;
    expect(last.closed).toBe(new Date(note.poll!.endsAt!).toISOString());
    expect(w.views.note(w.notes.byId(note.id)!).poll!.closed).toBe(true);
    expect(w.conversations.pollScheduler.runDue()).toBe(0);
  });

  it('need distinct options', async () => {
    const w = world();
    await expect(w.actions.compose({ content: 'x', poll: { options: ['Yes', ' yes '], expiresInS: 600 } })).rejects.toThrow(/differ/);
  });
});
