// The home timeline: cursor-paged, refreshed on 'timeline' events without moving what the
// reader is looking at (new posts wait behind a pill while the reader is scrolled down).
import type { NoteDto, TimelineEntry } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { adoptAll, localClock, noteChangedHere, noteSettledHere } from '../lib/localChanges';
import type { LoadStatus, Slice } from './types';

export const TIMELINE_PAGE = 20;

export interface TimelineState {
  entries: TimelineEntry[];
  next: string | null;
  status: LoadStatus;
  error: string | null;
  loadingMore: boolean;
  moreError: string | null;
  /** Newer entries fetched while the reader was scrolled down, newest first. */
  pending: TimelineEntry[];
  /** The newest page did not reach the entries shown: revealing starts the list afresh. */
  gap: boolean;
}

export type NoteAction = 'like' | 'unlike' | 'boost' | 'unboost';

export interface TimelineSlice {
  timeline: TimelineState;
  timelineAtTop: boolean;
  setTimelineAtTop(atTop: boolean): void;
  loadTimeline(): Promise<void>;
  loadMoreTimeline(): Promise<void>;
  /** Fetches the newest page and merges it; `reveal` shows new posts even when scrolled down. */
  refreshTimeline(reveal?: boolean): Promise<void>;
  revealPending(): void;
  noteAction(note: NoteDto, action: NoteAction): Promise<void>;
  deleteNote(noteId: string): Promise<void>;
  /** Applies a change to every copy of a note (timeline, pending, notifications). */
  patchNote(noteId: string, patch: (n: NoteDto) => NoteDto): void;
}

const byNewest = (a: TimelineEntry, b: TimelineEntry) => b.at - a.at;

function mergeUnique(...lists: TimelineEntry[][]): TimelineEntry[] {
  const seen = new Set<string>();
  const out: TimelineEntry[] = [];
  for (const list of lists) {
    for (const e of list) {
      if (seen.has(e.cursor)) continue;
      seen.add(e.cursor);
      out.push(e);
    }
  }
  return out.sort(byNewest);
}

let loadSeq = 0;

export const createTimelineSlice: Slice<TimelineSlice> = (set, get) => {
  const setTimeline = (patch: Partial<TimelineState>) => set({ timeline: { ...get().timeline, ...patch } });

  return {
    timeline: { entries: [], next: null, status: 'idle', error: null, loadingMore: false, moreError: null, pending: [], gap: false },
    timelineAtTop: true,
    setTimelineAtTop(atTop) {
      if (get().timelineAtTop === atTop) return;
      set({ timelineAtTop: atTop });
      if (atTop && get().timeline.pending.length > 0) get().revealPending();
    },

    async loadTimeline() {
      const seq = ++loadSeq;
      setTimeline({ status: get().timeline.status === 'ready' ? 'ready' : 'loading', error: null });
      const since = localClock();
      try {
        const page = await api().timeline({ limit: TIMELINE_PAGE });
        if (seq !== loadSeq) return;
        setTimeline({ entries: adoptAll(page.entries, since), next: page.next, status: 'ready', error: null, pending: [], gap: false, moreError: null });
      } catch (err) {
        if (seq !== loadSeq) return;
        const t = get().timeline;
        setTimeline({ status: t.entries.length > 0 ? 'ready' : 'error', error: errorMessage(err) });
      }
    },

    async loadMoreTimeline() {
      const t = get().timeline;
      if (t.loadingMore || !t.next || t.status !== 'ready') return;
      const seq = loadSeq;
      setTimeline({ loadingMore: true, moreError: null });
      const since = localClock();
      try {
        const page = await api().timeline({ limit: TIMELINE_PAGE, before: t.next });
        if (seq !== loadSeq) return;
        const cur = get().timeline;
        setTimeline({ entries: mergeUnique(cur.entries, adoptAll(page.entries, since)), next: page.next, loadingMore: false });
      } catch (err) {
        setTimeline({ loadingMore: false, moreError: errorMessage(err) });
      }
    },

    async refreshTimeline(reveal = false) {
      if (get().timeline.status !== 'ready') return get().loadTimeline();
      const seq = loadSeq;
      const since = localClock();
      let page;
      try {
        page = await api().timeline({ limit: TIMELINE_PAGE });
      } catch {
        return; // a failed background refresh keeps what is shown
      }
      if (seq !== loadSeq) return;
      page = { ...page, entries: adoptAll(page.entries, since) };
      const t = get().timeline;
      const fresh = new Map(page.entries.map((e) => [e.cursor, e]));
      const oldestFresh = page.entries.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
      const covered = (e: TimelineEntry) => page.next === null || e.at > oldestFresh;
      // Entries inside the fresh page's span that it no longer has were deleted.
      const keep = (list: TimelineEntry[]) => list.filter((e) => fresh.has(e.cursor) || !covered(e)).map((e) => fresh.get(e.cursor) ?? e);
      const shown = keep(t.entries);
      const pending = keep(t.pending);
      const known = new Set([...t.entries, ...t.pending].map((e) => e.cursor));
      const added = page.entries.filter((e) => !known.has(e.cursor));
      const overlaps = t.entries.length === 0 || page.entries.some((e) => t.entries.some((s) => s.cursor === e.cursor));

      if (!overlaps && page.next !== null) {
        // More new posts than one page: the fresh page replaces the list once revealed.
        if (reveal || get().timelineAtTop) {
          setTimeline({ entries: page.entries, next: page.next, pending: [], gap: false });
        } else {
          setTimeline({ pending: page.entries, gap: true });
        }
        return;
      }
      if (reveal || get().timelineAtTop || t.entries.length === 0) {
        setTimeline({ entries: mergeUnique(pending, added, shown), pending: [], gap: false });
        return;
      }
      const newest = t.entries[0]?.at ?? Number.NEGATIVE_INFINITY;
      const onTop = added.filter((e) => e.at > newest);
      const inside = added.filter((e) => e.at <= newest);
      setTimeline({ entries: mergeUnique(shown, inside), pending: mergeUnique(pending, onTop) });
    },

    revealPending() {
      const t = get().timeline;
      if (t.pending.length === 0) return;
      if (t.gap) {
        // Start afresh from the newest page; older pages load again on scroll.
        void get().loadTimeline();
        return;
      }
      setTimeline({ entries: mergeUnique(t.pending, t.entries), pending: [] });
    },

    patchNote(noteId, patchCopy) {
      let changed: NoteDto | undefined;
      const patch = (n: NoteDto) => (changed = patchCopy(n));
      const t = get().timeline;
      const fix = (list: TimelineEntry[]) => list.map((e) => (e.note.id === noteId ? { ...e, note: patch(e.note) } : e));
      const n = get().notifications;
      const p = get().profile;
      set({
        timeline: { ...t, entries: fix(t.entries), pending: fix(t.pending) },
        notifications: { ...n, items: n.items.map((x) => (x.note?.id === noteId ? { ...x, note: patch(x.note) } : x)) },
        ...(p.data ? { profile: { ...p, data: { ...p.data, posts: p.data.posts.map((x) => (x.id === noteId ? patch(x) : x)) } } } : {}),
      });
      get().patchConversationNotes(noteId, patch);
      if (changed) noteChangedHere(changed);
    },

    async noteAction(note, action) {
      const change = (n: NoteDto): NoteDto => {
        switch (action) {
          case 'like': return { ...n, likedByMe: true, likeCount: n.likeCount + (n.likedByMe ? 0 : 1) };
          case 'unlike': return { ...n, likedByMe: false, likeCount: Math.max(0, n.likeCount - (n.likedByMe ? 1 : 0)) };
          case 'boost': return { ...n, boostedByMe: true, boostCount: n.boostCount + (n.boostedByMe ? 0 : 1) };
          case 'unboost': return { ...n, boostedByMe: false, boostCount: Math.max(0, n.boostCount - (n.boostedByMe ? 1 : 0)) };
        }
      };
      const before = { likedByMe: note.likedByMe, likeCount: note.likeCount, boostedByMe: note.boostedByMe, boostCount: note.boostCount };
      get().patchNote(note.id, change);
      try {
        await api()[action]({ noteId: note.id });
        noteSettledHere(note.id);
      } catch (err) {
        get().patchNote(note.id, (n) => ({ ...n, ...before }));
        get().toastError(`Could not ${action} the post`, err);
      }
    },

    async deleteNote(noteId) {
      try {
        await api().deleteNote({ noteId });
      } catch (err) {
        get().toastError('Could not delete the post', err);
        return;
      }
      const t = get().timeline;
      const drop = (list: TimelineEntry[]) => list.filter((e) => e.note.id !== noteId);
      setTimeline({ entries: drop(t.entries), pending: drop(t.pending) });
      get().dropConversationNote(noteId);
      const p = get().profile;
      if (p.data) set({ profile: { ...p, data: { ...p.data, posts: p.data.posts.filter((n) => n.id !== noteId) } } });
    },
  };
};
