// Poll votes both ways. The user votes in a remote poll as Mastodon does: one Create(Note)
// per chosen option, `name` = the option's title, `inReplyTo` = the question, addressed to
// its author only (never a post in anyone's timeline). Votes on the user's own polls are
// counted from distinct accounts — one per account in a single-choice poll, one per option
// and account in a multiple-choice one, none after the end — and their results go out
// later, together (pollScheduler.ts).
import type { Db } from '../store/database';
import { conflict, DomainError } from '../errors';
import { newId } from '../ids';
import { AS_CONTEXT, type Json } from '../federation/activityStreams';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import type { NoteRecord, NoteRepository, PollRecord } from './noteRepository';
import { pollClosed } from './pollDocuments';

export class PollVotes {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      add: db.prepare<[string, string, number, string, number]>(`INSERT INTO poll_votes (note_id, actor_uri, choice, activity_uri, created_at)
          VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      byActor: db.prepare<[string, string], { choice: number }>('SELECT choice FROM poll_votes WHERE note_id = ? AND actor_uri = ? ORDER BY choice'),
      counts: db.prepare<[string], { choice: number; n: number }>('SELECT choice, count(*) AS n FROM poll_votes WHERE note_id = ? GROUP BY choice'),
      voters: db.prepare<[string], { actor_uri: string }>('SELECT DISTINCT actor_uri FROM poll_votes WHERE note_id = ?'),
    };
  }

  /** Records one vote (one option); false when that account already chose that option. */
  add(noteId: string, actorUri: string, choice: number, activityUri: string, at: number): boolean {
    return this.stmts.add.run(noteId, actorUri, choice, activityUri, at).changes > 0;
  }

  /** The options an account chose, by index. */
  choicesOf(noteId: string, actorUri: string): number[] {
    return this.stmts.byActor.all(noteId, actorUri).map((r) => r.choice);
  }

  /** Accounts that voted. */
  voters(noteId: string): string[] {
    return this.stmts.voters.all(noteId).map((r) => r.actor_uri);
  }

  /** The poll with its counts recounted from the votes recorded here (the user's own polls). */
  recount(noteId: string, poll: PollRecord): PollRecord {
    const counts = new Map(this.stmts.counts.all(noteId).map((r) => [r.choice, r.n]));
    return { ...poll, options: poll.options.map((o, i) => ({ ...o, votes: counts.get(i) ?? 0 })), votersCount: this.voters(noteId).length };
  }
}

export interface PollsDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  votes: PollVotes;
  actors: Pick<RemoteActors, 'resolve'>;
  outbox: Outbox;
  /** Told that one of the user's polls has new votes (its results go out later). */
  resultsChanged: (noteId: string) => void;
  now?: () => number;
}

export class Polls {
  private readonly now: () => number;
  constructor(private readonly d: PollsDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The user votes in someone else's poll. */
  async vote(note: NoteRecord, choices: number[]): Promise<void> {
    const { identity, votes } = this.d;
    const poll = note.poll;
    if (!poll) throw conflict('this post has no poll');
    if (note.authorUri === identity.actor) throw conflict('you cannot vote in your own poll');
    if (pollClosed(poll, this.now())) throw conflict('this poll has ended');
    if (votes.choicesOf(note.id, identity.actor).length > 0) throw conflict('you already voted in this poll');
    const chosen = [...new Set(choices)].sort((a, b) => a - b);
    if (chosen.some((c) => c < 0 || c >= poll.options.length)) {
      throw new DomainError('invalid', `choices must be between 0 and ${poll.options.length - 1}`);
    }
    if (!poll.multiple && chosen.length !== 1) throw new DomainError('invalid', 'this poll takes exactly one choice');
    const author = await this.d.actors.resolve(note.authorUri);
    const at = this.now();
    this.d.db.transaction(() => {
      for (const choice of chosen) {
        const id = newId(at);
        const object = `${identity.actor}#votes/${id}`;
        const activity: Json = {
          '@context': AS_CONTEXT, id: `${object}/activity`, type: 'Create', actor: identity.actor, to: [author.uri],
          object: { id: object, type: 'Note', name: poll.options[choice]!.title, attributedTo: identity.actor, to: [author.uri], inReplyTo: note.uri },
        };
        votes.add(note.id, identity.actor, choice, object, at);
        this.d.outbox.enqueue(id, activity, [author.inbox]);
      }
      // Counted here at once; the poll's server sends its own counts later.
      this.d.notes.setPoll(note.id, {
        ...poll,
        options: poll.options.map((o, i) => (chosen.includes(i) ? { ...o, votes: (o.votes ?? 0) + 1 } : o)),
        votersCount: poll.votersCount === null ? null : poll.votersCount + 1,
      });
    })();
  }

  /**
   * A vote arrived for one of the user's polls (a Note named after an option, replying to
   * it, from `actorUri`). Returns whether it was counted.
   */
  receiveVote(poll: NoteRecord, actorUri: string, optionName: string, voteUri: string): boolean {
    const { votes } = this.d;
    const record = poll.poll;
    const now = this.now();
    if (!record || !poll.local || poll.authorUri !== this.d.identity.actor || pollClosed(record, now)) return false;
    const choice = record.options.findIndex((o) => o.title === optionName);
    if (choice < 0) return false;
    const counted = this.d.db.transaction(() => {
      // A single-choice poll takes one vote per account; a multiple-choice one, one per option.
      if (!record.multiple && votes.choicesOf(poll.id, actorUri).length > 0) return false;
      if (!votes.add(poll.id, actorUri, choice, voteUri, now)) return false;
      this.d.notes.setPoll(poll.id, votes.recount(poll.id, record));
      return true;
    })();
    if (counted) this.d.resultsChanged(poll.id);
    return counted;
  }
}
