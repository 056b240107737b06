// One search box: a handle or a profile/post URL resolves to the account or the post
// (objectResolver.ts); `#tag` lists hashtags; any other text searches the stored posts
// (FTS5, best match first, then newest), the accounts we know, and the hashtags in use.
// Muted accounts' posts are left out, as in the timeline.
import type { Db } from '../store/database';
import type { SearchConfig } from '../config';
import type { HashtagDto, SearchResultDto } from '../../../shared/conversations';
import type { ActorSummary, NoteDto, TimelinePage } from '../../../shared/dto';
import { DomainError } from '../errors';
import type { FollowRepository } from './followRepository';
import { noteFromRow, parseCursor, type NoteRecord, type NoteRow } from './noteRepository';
import { ftsQuery } from './noteSearchIndex';
import { isResolvable, type ObjectResolver } from './objectResolver';

const NOT_MUTED = 'n.author_uri NOT IN (SELECT actor_uri FROM account_mutes)';
/** A hashtag as Mastodon reads one: letters, marks, digits and underscores. */
const TAG = /^[\p{L}\p{M}\p{N}_]{1,100}$/u;

/** `#Tag` or `tag` → `tag`, or undefined when it is not a hashtag. */
export function normalizeTag(text: string): string | undefined {
  const t = text.trim().replace(/^#/, '').toLowerCase();
  return TAG.test(t) ? t : undefined;
}

/** `text` for a LIKE pattern (with ESCAPE '\'): its own % and _ match only themselves. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface SearchDeps {
  db: Db;
  resolver: Pick<ObjectResolver, 'resolve'>;
  follows: FollowRepository;
  config: SearchConfig;
  view: (n: NoteRecord) => NoteDto;
  actor: (uri: string) => ActorSummary;
}

export class Search {
  private readonly stmts;
  constructor(private readonly d: SearchDeps) {
    const { db } = d;
    this.stmts = {
      text: db.prepare<[string, number, number], NoteRow>(`SELECT n.* FROM note_search_text f
          JOIN note_search s ON s.id = f.rowid JOIN notes n ON n.id = s.note_id
          WHERE note_search_text MATCH ? AND ${NOT_MUTED}
          ORDER BY bm25(note_search_text), n.published_at DESC LIMIT ? OFFSET ?`),
      accounts: db.prepare<[string, string, number], { uri: string }>(`SELECT uri FROM actors
          WHERE username LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' ORDER BY fetched_at DESC LIMIT ?`),
      tags: db.prepare<[string, string, number], { tag: string; n: number }>(`SELECT tag, count(*) AS n FROM note_tags
          WHERE tag >= ? AND tag < ? GROUP BY tag ORDER BY n DESC, tag LIMIT ?`),
      tagFirst: db.prepare<[string, number], NoteRow & { tag_at: number }>(`SELECT n.*, t.published_at AS tag_at FROM note_tags t
          JOIN notes n ON n.id = t.note_id WHERE t.tag = ? AND ${NOT_MUTED}
          ORDER BY t.published_at DESC, t.note_id DESC LIMIT ?`),
      tagBefore: db.prepare<[string, number, string, number], NoteRow & { tag_at: number }>(`SELECT n.*, t.published_at AS tag_at
          FROM note_tags t JOIN notes n ON n.id = t.note_id WHERE t.tag = ? AND (t.published_at, t.note_id) < (?, ?) AND ${NOT_MUTED}
          ORDER BY t.published_at DESC, t.note_id DESC LIMIT ?`),
    };
  }

  async search(q: string, offset = 0): Promise<SearchResultDto> {
    const text = q.trim();
    const empty: SearchResultDto = { accounts: [], notes: [], hashtags: [], nextOffset: null, message: null };
    if (!text) return empty;
    if (isResolvable(text)) {
      try {
        const found = await this.d.resolver.resolve(text, { refresh: true });
        if (found.kind === 'note') return { ...empty, notes: [this.d.view(found.note)] };
        return { ...empty, accounts: [{ actor: this.d.actor(found.actorUri), followState: this.d.follows.following.get(found.actorUri)?.state ?? null }] };
      } catch (err) {
        if (err instanceof DomainError) return { ...empty, message: err.message };
        throw err;
      }
    }
    const tag = text.startsWith('#') ? normalizeTag(text) : undefined;
    const { config } = this.d;
    const notes = this.textSearch(text, offset);
    return {
      accounts: tag || offset > 0 ? [] : this.stmts.accounts.all(`%${likeEscaped(text)}%`, `%${likeEscaped(text)}%`, config.maxAccounts)
        .map((r) => ({ actor: this.d.actor(r.uri), followState: this.d.follows.following.get(r.uri)?.state ?? null })),
      notes: notes.slice(0, config.pageSize).map(this.d.view),
      hashtags: offset > 0 ? [] : this.hashtags(tag ?? text.split(/\s+/)[0]!),
      nextOffset: notes.length > config.pageSize ? offset + config.pageSize : null,
      message: null,
    };
  }

  /** Stored posts with a hashtag, newest first; `before` is a cursor from a previous page. */
  tagPage(tagText: string, limit: number, before: string | undefined): TimelinePage {
    const tag = normalizeTag(tagText);
    if (!tag) throw new DomainError('invalid', `"${tagText}" is not a hashtag`);
    const rows = before
      ? (() => {
        const c = parseCursor(before);
        return this.stmts.tagBefore.all(tag, c.sortAt, c.id, limit + 1);
      })()
      : this.stmts.tagFirst.all(tag, limit + 1);
    const page = rows.slice(0, limit);
    const cursor = (r: { tag_at: number; id: string }) => `${r.tag_at}_${r.id}`;
    return {
      entries: page.map((r) => ({ cursor: cursor(r), note: this.d.view(noteFromRow(r)), boostedBy: null, at: r.tag_at })),
      next: rows.length > limit ? cursor(page[page.length - 1]!) : null,
    };
  }

  /** One more post than a page (so we know whether there is a next page); none for words FTS cannot take. */
  private textSearch(text: string, offset: number): NoteRecord[] {
    const match = ftsQuery(text, this.d.config.maxTerms);
    if (!match) return [];
    return this.stmts.text.all(match, this.d.config.pageSize + 1, offset).map(noteFromRow);
  }

  /** Hashtags in use that start with `word`, most used first. */
  private hashtags(word: string): HashtagDto[] {
    const prefix = normalizeTag(word);
    if (!prefix) return [];
    return this.stmts.tags.all(prefix, `${prefix}\u{10FFFF}`, this.d.config.maxHashtags).map((r) => ({ name: r.tag, count: r.n }));
  }
}
