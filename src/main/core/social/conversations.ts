// The conversation side of the instance, wired in one place: threads, edits, polls,
// bookmarks and search, and what the admin API asks of them (DTOs out, domain errors up).
import type { Db } from '../store/database';
import type { ConversationConfig } from '../config';
import type { NoteDto, TimelinePage } from '../../../shared/dto';
import type { NoteVersionDto, SearchResultDto, ThreadDto } from '../../../shared/conversations';
import type { FederationClient } from '../federation/federationClient';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';
import type { BlockList } from './blockList';
import type { FollowRepository } from './followRepository';
import type { NoteRecord, NoteRepository } from './noteRepository';
import type { Views } from './views';
import { NoteFetcher } from './noteFetcher';
import { Threads } from './threads';
import { PollVotes, Polls } from './polls';
import { PollScheduler } from './pollScheduler';
import { NoteEditing, NoteVersions } from './noteEditing';
import { Bookmarks } from './bookmarks';
import { ObjectResolver } from './objectResolver';
import { Search } from './search';
import { requireNote } from './audience';

export interface ConversationsDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  follows: FollowRepository;
  actors: RemoteActors;
  client: FederationClient;
  outbox: Outbox;
  views: Views;
  events: InstanceEvents;
  blocks: BlockList;
  config: ConversationConfig;
  log: Logger;
  now?: () => number;
}

export class Conversations {
  readonly fetcher: NoteFetcher;
  readonly threads: Threads;
  readonly votes: PollVotes;
  readonly polls: Polls;
  readonly pollScheduler: PollScheduler;
  readonly versions: NoteVersions;
  readonly editing: NoteEditing;
  readonly bookmarks: Bookmarks;
  readonly resolver: ObjectResolver;
  readonly search: Search;
  private readonly now: () => number;
  private backfillTimer: NodeJS.Timeout | undefined;

  constructor(private readonly d: ConversationsDeps) {
    const { db, identity, notes, actors, client, outbox, blocks, config, log, events, views } = d;
    this.now = d.now ?? Date.now;
    const now = this.now;
    this.fetcher = new NoteFetcher({ client, actors, notes, blocks, polls: config.polls, now });
    this.threads = new Threads({ notes, fetcher: this.fetcher, client, blocks, config: config.threads, log, now });
    this.votes = new PollVotes(db);
    this.pollScheduler = new PollScheduler({ db, identity, notes, votes: this.votes, actors, blocks, outbox, config: config.polls, log, now });
    this.polls = new Polls({
      db, identity, notes, votes: this.votes, actors, outbox, now,
      resultsChanged: (noteId) => {
        this.pollScheduler.resultsChanged(noteId);
        events.emit('timeline', { cursor: '' });
      },
    });
    this.versions = new NoteVersions(db);
    this.editing = new NoteEditing({ db, identity, notes, versions: this.versions, actors, blocks, outbox, events, views, now });
    this.bookmarks = new Bookmarks(db);
    this.resolver = new ObjectResolver({ db, identity, notes, actors, client, fetcher: this.fetcher });
    this.search = new Search({
      db, resolver: this.resolver, follows: d.follows, config: config.search, view: (n) => views.note(n), actor: (u) => views.actor(u),
    });
  }

  /** Starts the poll scheduler, and brings posts stored before the search index existed into it (a batch per turn). */
  start(): void {
    this.pollScheduler.start();
    const step = () => {
      this.backfillTimer = undefined;
      if (this.d.notes.backfillSearch(this.d.config.search.backfillBatch) === this.d.config.search.backfillBatch) {
        this.backfillTimer = setTimeout(step, 0);
      }
    };
    step();
  }

  stop(): void {
    this.pollScheduler.stop();
    clearTimeout(this.backfillTimer);
  }

  /** The options the user chose in a post's poll. */
  ownVotes(noteId: string): number[] {
    return this.votes.choicesOf(noteId, this.d.identity.actor);
  }

  async thread(noteId: string): Promise<ThreadDto> {
    const t = await this.threads.thread(await this.noteOrFetch(noteId));
    const view = (n: NoteRecord) => this.d.views.note(n);
    return { ancestors: t.ancestors.map(view), note: view(t.note), descendants: t.descendants.map(view), missingAncestor: t.missingAncestor };
  }

  async editNote(noteId: string, content: string, summary: string | undefined): Promise<NoteDto> {
    return this.d.views.note(await this.editing.edit(requireNote(this.d.notes, noteId), content, summary));
  }

  noteHistory(noteId: string): NoteVersionDto[] {
    return this.versions.history(requireNote(this.d.notes, noteId));
  }

  async vote(noteId: string, choices: number[]): Promise<NoteDto> {
    const note = requireNote(this.d.notes, noteId);
    await this.polls.vote(note, choices);
    this.d.events.emit('timeline', { cursor: '' });
    return this.d.views.note(this.d.notes.byId(note.id)!);
  }

  bookmark(noteId: string, on: boolean): { ok: true } {
    const note = requireNote(this.d.notes, noteId);
    if (on) this.bookmarks.add(note.id, this.now());
    else this.bookmarks.remove(note.id);
    return { ok: true };
  }

  bookmarkPage(limit: number, before: string | undefined): TimelinePage {
    return this.bookmarks.page(limit, before, (n) => this.d.views.note(n));
  }

  find(q: string, offset: number | undefined): Promise<SearchResultDto> {
    return this.search.search(q, offset);
  }

  /** A stored post by id or URI; a post URI we do not have is fetched (a deep link, a parent not stored). */
  private async noteOrFetch(noteId: string): Promise<NoteRecord> {
    const stored = this.d.notes.byId(noteId) ?? this.d.notes.byUri(noteId);
    if (stored || !/^https?:\/\//i.test(noteId)) return requireNote(this.d.notes, noteId);
    const found = await this.resolver.resolve(noteId);
    if (found.kind !== 'note') return requireNote(this.d.notes, noteId);
    return found.note;
  }
}
