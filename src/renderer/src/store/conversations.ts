// The conversation views: a thread, search results, a hashtag timeline, bookmarks; and
// what the user does to a post there (bookmark, vote, edit). Each view's list is loaded
// when it opens and kept in step with changes made anywhere (patchConversationNotes).
import type { NoteDto, TimelineEntry, TimelinePage } from '../../../shared/dto';
import type { SearchResultDto, ThreadDto } from '../../../shared/conversations';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { adopt, adoptAll, localClock, noteSettledHere } from '../lib/localChanges';
import type { LoadStatus, Slice } from './types';

const PAGE = 20;

export interface ThreadState {
  /** The note id (or URI) the thread was opened for. */
  key: string;
  status: LoadStatus;
  error: string | null;
  data: ThreadDto | null;
}

export interface SearchState {
  q: string;
  status: LoadStatus;
  error: string | null;
  result: SearchResultDto | null;
  loadingMore: boolean;
}

/** A paged list of posts (a hashtag timeline, the bookmarks). */
export interface NoteList {
  key: string;
  entries: TimelineEntry[];
  next: string | null;
  status: LoadStatus;
  error: string | null;
  loadingMore: boolean;
}

const emptyList = (key: string): NoteList => ({ key, entries: [], next: null, status: 'idle', error: null, loadingMore: false });

export interface ConversationsSlice {
  thread: ThreadState | null;
  /** Opens (or, quietly, refreshes) the thread of a note. */
  loadThread(key: string, quiet?: boolean): Promise<void>;
  search: SearchState;
  runSearch(q: string): Promise<void>;
  loadMoreSearch(): Promise<void>;
  /** Bumped to ask the search box to take focus ("/"). */
  searchFocus: number;
  focusSearch(): void;
  tag: NoteList;
  loadTag(tag: string): Promise<void>;
  bookmarks: NoteList;
  loadBookmarks(): Promise<void>;
  /** The next page of the tag timeline or the bookmarks. */
  loadMoreList(which: 'tag' | 'bookmarks'): Promise<void>;
  toggleBookmark(note: NoteDto): Promise<void>;
  vote(note: NoteDto, choices: number[]): Promise<boolean>;
  editNote(note: NoteDto, content: string, summary: string): Promise<NoteDto>;
  /** Applies a change to the copies of a note in these views. */
  patchConversationNotes(noteId: string, patch: (n: NoteDto) => NoteDto): void;
  dropConversationNote(noteId: string): void;
  shortcutsHelp: boolean;
  setShortcutsHelp(open: boolean): void;
}

let searchSeq = 0;

/** Why a thread cannot open, for people: a post we cannot find is said plainly. */
function threadError(err: unknown): string {
  if ((err as { code?: unknown } | null)?.code === 'not_found') {
    return 'It may have been deleted, or the link points to a post this instance does not have and could not fetch.';
  }
  return errorMessage(err);
}

export const createConversationsSlice: Slice<ConversationsSlice> = (set, get) => {
  const fetchList = async (which: 'tag' | 'bookmarks', key: string, before?: string): Promise<TimelinePage> => (which === 'tag'
    ? api().tagTimeline({ tag: key, limit: PAGE, ...(before ? { before } : {}) })
    : api().bookmarks({ limit: PAGE, ...(before ? { before } : {}) }));

  const loadList = async (which: 'tag' | 'bookmarks', key: string) => {
    const cur = get()[which];
    const same = cur.key === key && cur.status === 'ready';
    set({ [which]: same ? { ...cur, error: null } : { ...emptyList(key), status: 'loading' } } as Partial<ConversationsSlice>);
    const since = localClock();
    try {
      const page = await fetchList(which, key);
      if (get()[which].key !== key) return;
      set({ [which]: { ...emptyList(key), entries: adoptAll(page.entries, since), next: page.next, status: 'ready' } } as Partial<ConversationsSlice>);
    } catch (err) {
      if (get()[which].key !== key) return;
      set({ [which]: { ...get()[which], status: get()[which].entries.length ? 'ready' : 'error', error: errorMessage(err) } } as Partial<ConversationsSlice>);
    }
  };

  const patchList = (list: NoteList, noteId: string, patch: (n: NoteDto) => NoteDto): NoteList => ({
    ...list, entries: list.entries.map((e) => (e.note.id === noteId ? { ...e, note: patch(e.note) } : e)),
  });

  return {
    thread: null,
    async loadThread(key, quiet = false) {
      const cur = get().thread;
      if (!quiet || cur?.key !== key) set({ thread: { key, status: 'loading', error: null, data: cur?.key === key ? cur.data : null } });
      const since = localClock();
      try {
        const fetched = await api().thread({ noteId: key });
        const own = (n: NoteDto) => adopt(n, since);
        const data = { ...fetched, ancestors: fetched.ancestors.map(own), note: own(fetched.note), descendants: fetched.descendants.map(own) };
        if (get().thread?.key === key) set({ thread: { key, status: 'ready', error: null, data } });
      } catch (err) {
        const now = get().thread;
        if (now?.key !== key) return;
        if (quiet && now.data) return; // a background refresh keeps what is shown
        set({ thread: { key, status: 'error', error: threadError(err), data: null } });
      }
    },

    search: { q: '', status: 'idle', error: null, result: null, loadingMore: false },
    async runSearch(q) {
      const seq = ++searchSeq;
      if (!q.trim()) {
        set({ search: { q, status: 'idle', error: null, result: null, loadingMore: false } });
        return;
      }
      set({ search: { q, status: 'loading', error: null, result: null, loadingMore: false } });
      const since = localClock();
      try {
        const result = await api().search({ q });
        if (seq === searchSeq) set({ search: { q, status: 'ready', error: null, result: { ...result, notes: result.notes.map((n) => adopt(n, since)) }, loadingMore: false } });
      } catch (err) {
        if (seq === searchSeq) set({ search: { q, status: 'error', error: errorMessage(err), result: null, loadingMore: false } });
      }
    },
    async loadMoreSearch() {
      const s = get().search;
      if (s.loadingMore || !s.result || s.result.nextOffset === null) return;
      const seq = searchSeq;
      set({ search: { ...s, loadingMore: true } });
      try {
        const more = await api().search({ q: s.q, offset: s.result.nextOffset });
        const now = get().search;
        if (seq !== searchSeq || !now.result) return;
        const seen = new Set(now.result.notes.map((n) => n.id));
        set({ search: { ...now, loadingMore: false, result: { ...now.result, notes: [...now.result.notes, ...more.notes.filter((n) => !seen.has(n.id))], nextOffset: more.nextOffset } } });
      } catch (err) {
        set({ search: { ...get().search, loadingMore: false } });
        get().toast(`Could not load more results: ${errorMessage(err)}`);
      }
    },
    searchFocus: 0,
    focusSearch: () => set({ searchFocus: get().searchFocus + 1 }),

    tag: emptyList(''),
    loadTag: (tag) => loadList('tag', tag),
    bookmarks: emptyList('bookmarks'),
    loadBookmarks: () => loadList('bookmarks', 'bookmarks'),
    async loadMoreList(which) {
      const list = get()[which];
      if (list.loadingMore || !list.next || list.status !== 'ready') return;
      set({ [which]: { ...list, loadingMore: true } } as Partial<ConversationsSlice>);
      const since = localClock();
      try {
        const page = await fetchList(which, list.key, list.next);
        const now = get()[which];
        if (now.key !== list.key) return;
        const seen = new Set(now.entries.map((e) => e.cursor));
        set({ [which]: { ...now, entries: [...now.entries, ...adoptAll(page.entries.filter((e) => !seen.has(e.cursor)), since)], next: page.next, loadingMore: false } } as Partial<ConversationsSlice>);
      } catch (err) {
        set({ [which]: { ...get()[which], loadingMore: false } } as Partial<ConversationsSlice>);
        get().toast(`Could not load more posts: ${errorMessage(err)}`);
      }
    },

    async toggleBookmark(note) {
      const on = !note.bookmarked;
      get().patchNote(note.id, (n) => ({ ...n, bookmarked: on }));
      try {
        await (on ? api().bookmark({ noteId: note.id }) : api().unbookmark({ noteId: note.id }));
        noteSettledHere(note.id);
      } catch (err) {
        get().patchNote(note.id, (n) => ({ ...n, bookmarked: !on }));
        get().toast(`Could not ${on ? 'bookmark' : 'remove the bookmark of'} the post: ${errorMessage(err)}`);
        return;
      }
      if (get().bookmarks.status === 'ready') void get().loadBookmarks();
    },

    async vote(note, choices) {
      try {
        const updated = await api().vote({ noteId: note.id, choices });
        get().patchNote(note.id, () => updated);
        return true;
      } catch (err) {
        get().toast(`Could not vote: ${errorMessage(err)}`);
        return false;
      }
    },

    async editNote(note, content, summary) {
      const updated = await api().editNote({ noteId: note.id, content, ...(summary.trim() ? { summary: summary.trim() } : {}) });
      get().patchNote(note.id, () => updated);
      return updated;
    },

    patchConversationNotes(noteId, patch) {
      const { thread, search, tag, bookmarks } = get();
      const fix = (n: NoteDto) => (n.id === noteId ? patch(n) : n);
      set({
        thread: thread?.data ? {
          ...thread, data: { ...thread.data, ancestors: thread.data.ancestors.map(fix), note: fix(thread.data.note), descendants: thread.data.descendants.map(fix) },
        } : thread,
        search: search.result ? { ...search, result: { ...search.result, notes: search.result.notes.map(fix) } } : search,
        tag: patchList(tag, noteId, patch),
        bookmarks: patchList(bookmarks, noteId, patch),
      });
    },

    dropConversationNote(noteId) {
      const { thread, search, tag, bookmarks } = get();
      const keep = (n: NoteDto) => n.id !== noteId;
      set({
        thread: thread?.data && thread.data.note.id !== noteId ? {
          ...thread, data: { ...thread.data, ancestors: thread.data.ancestors.filter(keep), descendants: thread.data.descendants.filter(keep) },
        } : thread,
        search: search.result ? { ...search, result: { ...search.result, notes: search.result.notes.filter(keep) } } : search,
        tag: { ...tag, entries: tag.entries.filter((e) => keep(e.note)) },
        bookmarks: { ...bookmarks, entries: bookmarks.entries.filter((e) => keep(e.note)) },
      });
    },

    shortcutsHelp: false,
    setShortcutsHelp: (open) => set({ shortcutsHelp: open }),
  };
};
