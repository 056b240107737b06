// A post's conversation: its ancestors, walked up `inReplyTo` and fetched where missing
// (each fetch bounded; a depth cap and one deadline for the walk), and its descendants —
// stored replies, plus, for a remote post, its `replies` collection (first pages only, an
// item cap, a deadline), read when the thread opens and not again for a while.
import type { ThreadConfig } from '../config';
import type { FederationClient } from '../federation/federationClient';
import { asArray, hostOf, idOf, str, type Json } from '../federation/activityStreams';
import type { Logger } from '../logger';
import type { BlockList } from './blockList';
import type { NoteFetcher } from './noteFetcher';
import type { NoteRecord, NoteRepository } from './noteRepository';

export interface Thread {
  ancestors: NoteRecord[];
  note: NoteRecord;
  descendants: NoteRecord[];
  missingAncestor: string | null;
}

export interface ThreadsDeps {
  notes: NoteRepository;
  fetcher: Pick<NoteFetcher, 'fetch' | 'store'>;
  client: Pick<FederationClient, 'getActivityJson'>;
  blocks: Pick<BlockList, 'isBlocked' | 'isMuted'>;
  config: ThreadConfig;
  log: Logger;
  now?: () => number;
}

class DeadlinePassed extends Error {}

/** `p`, or a rejection once `deadline` (epoch ms) passes: an outer budget over calls with their own timeouts. */
function beforeDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new DeadlinePassed('deadline passed'));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed('deadline passed')), left);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class Threads {
  private readonly now: () => number;
  /** Remote posts whose replies were read lately: uri → when. */
  private readonly repliesReadAt = new Map<string, number>();

  constructor(private readonly d: ThreadsDeps) {
    this.now = d.now ?? Date.now;
  }

  async thread(note: NoteRecord): Promise<Thread> {
    const [up] = await Promise.all([this.ancestors(note), note.local ? undefined : this.readRemoteReplies(note)]);
    const hidden = (n: NoteRecord) => this.d.blocks.isBlocked(n.authorUri) || this.d.blocks.isMuted(n.authorUri);
    const seen = new Set([note.uri, ...up.ancestors.map((a) => a.uri)]);
    return { ...up, note, descendants: this.descendants(note, seen).filter((n) => !hidden(n)) };
  }

  /** Up the `inReplyTo` chain: stored parents, fetched ones, until the top, a loop, the cap, the deadline or a failure. */
  private async ancestors(note: NoteRecord): Promise<Pick<Thread, 'ancestors' | 'missingAncestor'>> {
    const { config } = this.d;
    const deadline = Date.now() + config.ancestorsDeadlineMs;
    const chain: NoteRecord[] = [];
    const seen = new Set([note.uri]);
    let current = note;
    while (current.inReplyTo) {
      const parentUri = current.inReplyTo;
      // A post that (through others) answers itself: the conversation is what we have.
      if (seen.has(parentUri)) break;
      seen.add(parentUri);
      if (chain.length >= config.maxAncestors) return { ancestors: chain, missingAncestor: parentUri };
      let parent = this.d.notes.byUri(parentUri);
      if (!parent) {
        try {
          parent = await beforeDeadline(this.d.fetcher.fetch(parentUri, { deadline }), deadline);
        } catch (err) {
          this.d.log.info(`thread: parent ${parentUri} not loaded: ${err instanceof Error ? err.message : String(err)}`);
          return { ancestors: chain, missingAncestor: parentUri };
        }
      }
      if (this.d.blocks.isBlocked(parent.authorUri)) return { ancestors: chain, missingAncestor: parentUri };
      chain.unshift(parent);
      current = parent;
    }
    return { ancestors: chain, missingAncestor: null };
  }

  /** Stored replies below `note`, depth first, oldest first among siblings, up to maxDescendants. */
  private descendants(note: NoteRecord, seen: Set<string>): NoteRecord[] {
    const max = this.d.config.maxDescendants;
    const out: NoteRecord[] = [];
    const stack: NoteRecord[] = [...this.d.notes.repliesTo(note.uri, max)].reverse();
    while (stack.length > 0 && out.length < max) {
      const reply = stack.pop()!;
      if (seen.has(reply.uri)) continue;
      seen.add(reply.uri);
      out.push(reply);
      stack.push(...[...this.d.notes.repliesTo(reply.uri, max)].reverse());
    }
    return out;
  }

  /**
   * Reads a remote post's `replies` collection (its first pages, up to repliesMaxItems
   * replies) and stores the replies we do not have. Skipped when read within the cache TTL.
   * Failures only leave the thread with what is stored.
   */
  private async readRemoteReplies(note: NoteRecord): Promise<void> {
    const { config } = this.d;
    const now = this.now();
    const last = this.repliesReadAt.get(note.uri);
    if (last !== undefined && now - last < config.repliesCacheTtlMs) return;
    this.repliesReadAt.delete(note.uri);
    if (this.repliesReadAt.size >= config.repliesCacheEntries) this.repliesReadAt.delete(this.repliesReadAt.keys().next().value!);
    this.repliesReadAt.set(note.uri, now);
    const deadline = Date.now() + config.repliesDeadlineMs;
    try {
      const items = await beforeDeadline(this.replyIds(note.uri, deadline), deadline);
      const todo = items.filter((uri) => !this.d.notes.byUri(uri));
      const worker = async () => {
        for (let uri = todo.shift(); uri !== undefined; uri = todo.shift()) {
          try {
            const doc = await beforeDeadline(this.d.client.getActivityJson(uri, { deadline }), deadline);
            // A collection lists replies to this post; anything else it names is not taken.
            if (idOf(doc.inReplyTo) !== note.uri) throw new Error(`it does not reply to ${note.uri}`);
            await beforeDeadline(this.d.fetcher.store(doc, uri), deadline);
          } catch (err) {
            if (err instanceof DeadlinePassed) return;
            this.d.log.info(`thread: reply ${uri} not loaded: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: config.repliesConcurrency }, worker));
    } catch (err) {
      this.d.log.info(`thread: replies of ${note.uri} not read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The ids in the first pages of a post's `replies` collection (at most repliesMaxItems). */
  private async replyIds(noteUri: string, deadline: number): Promise<string[]> {
    const { config, client } = this.d;
    const host = hostOf(noteUri);
    const doc = await client.getActivityJson(noteUri, { deadline });
    if (str(doc.id) !== noteUri) return [];
    // The collection must be the post's own (its host): a post cannot make us crawl elsewhere.
    const collection = await this.expand(doc.replies, host, deadline);
    if (!collection) return [];
    let page: Json | undefined = (await this.expand(collection.first, host, deadline)) ?? collection;
    const ids: string[] = [];
    const seenPages = new Set<string>();
    for (let n = 0; page && n < config.repliesMaxPages && ids.length < config.repliesMaxItems; n++) {
      for (const item of [...asArray(page.orderedItems), ...asArray(page.items)]) {
        const id = idOf(item);
        if (id && /^https?:\/\//.test(id) && !ids.includes(id) && id !== noteUri) ids.push(id);
      }
      const next = idOf(page.next);
      if (!next || seenPages.has(next) || n + 1 >= config.repliesMaxPages) break;
      seenPages.add(next);
      page = await this.expand(page.next, host, deadline);
    }
    return ids.slice(0, config.repliesMaxItems);
  }

  /** An embedded object, or the document at a URL on `host`. */
  private async expand(value: unknown, host: string | undefined, deadline: number): Promise<Json | undefined> {
    if (!value) return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) return value as Json;
    if (typeof value !== 'string' || hostOf(value) !== host) return undefined;
    return this.d.client.getActivityJson(value, { deadline });
  }
}
