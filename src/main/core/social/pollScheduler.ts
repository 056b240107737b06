// The user's polls tell their audience how the vote stands: an Update(Question) with the
// counts a while after votes arrive (every vote of the meantime in one Update, not one per
// vote), and a last one with `closed` when the poll ends. What is due is kept in the store
// (poll_updates), so a restart sends what was due while the instance was off.
import type { Db } from '../store/database';
import type { PollConfig } from '../config';
import { newId } from '../ids';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import type { Logger } from '../logger';
import type { BlockList } from './blockList';
import type { NoteRepository } from './noteRepository';
import type { PollVotes } from './polls';
import { renderUpdate } from './renderers';
import { noteAudience } from './audience';
import { timerDelay } from '../timers';

export interface PollSchedulerDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  votes: PollVotes;
  actors: Pick<RemoteActors, 'cached'>;
  blocks: Pick<BlockList, 'isBlocked'>;
  outbox: Outbox;
  config: Pick<PollConfig, 'resultsDelayMs'>;
  log: Logger;
  now?: () => number;
}

export class PollScheduler {
  private readonly stmts;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly d: PollSchedulerDeps) {
    this.now = d.now ?? Date.now;
    this.stmts = {
      upsert: d.db.prepare<[string, number]>(`INSERT INTO poll_updates (note_id, due_at) VALUES (?, ?)
          ON CONFLICT (note_id) DO UPDATE SET due_at = min(due_at, excluded.due_at)`),
      due: d.db.prepare<[number], { note_id: string }>('SELECT note_id FROM poll_updates WHERE due_at <= ? ORDER BY due_at'),
      next: d.db.prepare<[], { at: number | null }>('SELECT min(due_at) AS at FROM poll_updates'),
      remove: d.db.prepare<[string]>('DELETE FROM poll_updates WHERE note_id = ?'),
    };
  }

  /** Sends this poll's results (or closes it) at `dueAt`, or earlier if something else is due sooner. */
  schedule(noteId: string, dueAt: number): void {
    this.stmts.upsert.run(noteId, dueAt);
    this.arm();
  }

  /** New votes on a poll of ours: its results go out resultsDelayMs from now (with any that follow). */
  resultsChanged(noteId: string): void {
    this.schedule(noteId, this.now() + this.d.config.resultsDelayMs);
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends every update that is due now; returns how many polls it touched. */
  runDue(): number {
    const now = this.now();
    const due = this.stmts.due.all(now);
    for (const { note_id: noteId } of due) {
      try {
        this.d.db.transaction(() => this.sendResults(noteId, now))();
      } catch (err) {
        this.d.log.error(`poll ${noteId}: results not sent: ${err instanceof Error ? err.message : String(err)}`);
        this.stmts.remove.run(noteId);
      }
    }
    return due.length;
  }

  private sendResults(noteId: string, now: number): void {
    const { notes, votes, identity } = this.d;
    this.stmts.remove.run(noteId);
    const note = notes.byId(noteId);
    if (!note?.poll || note.authorUri !== identity.actor) return;
    let poll = votes.recount(noteId, note.poll);
    const ending = poll.closedAt === null && poll.endsAt !== null && poll.endsAt <= now;
    if (ending) poll = { ...poll, closedAt: poll.endsAt };
    notes.setPoll(noteId, poll);
    const current = { ...note, poll };
    const audience = noteAudience(current, this.d.actors, this.d.blocks);
    // Voters hear the results too, followers or not.
    const voterInboxes = votes.voters(noteId).map((uri) => this.d.actors.cached(uri)).filter((a) => !!a).map((a) => a.sharedInbox ?? a.inbox);
    const id = newId(now);
    this.d.outbox.enqueue(id, renderUpdate(identity, current, `${note.uri}#updates/${id}`, now), [...audience.inboxes, ...voterInboxes], { followers: audience.followers });
    // Results sent before the end: the closing still comes.
    if (poll.closedAt === null && poll.endsAt !== null) this.stmts.upsert.run(noteId, poll.endsAt);
  }

  private arm(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    const next = this.stmts.next.get()!.at;
    if (next === null) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runDue();
      this.arm();
    }, timerDelay(next, this.now())); // a later due time is re-armed on the way
    this.timer.unref();
  }
}
