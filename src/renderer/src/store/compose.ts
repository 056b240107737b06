// The composer (reply context, sending) and the delivery progress of own posts: activity
// ids by note id (from composing, or asked of the store for posts composed earlier — the
// bars survive reloads and restarts), summaries from live 'delivery' events, and the
// per-inbox breakdown fetched when its panel is open.
import type { ComposeResult, DeliveryRowDto, DeliverySummary, NoteDto, Visibility } from '../../../shared/dto';
import type { PollParams } from '../../../shared/adminApi';
import { SENT_ACTIVITIES_MAX_OBJECTS, type SentActivityDto } from '../../../shared/people';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import type { Slice, Store } from './types';

const SESSION_KEY = 'outpost.composedActivities';
/** Summaries kept for activities we are not showing (likes, boosts…), oldest dropped first. */
const MAX_TRACKED = 300;

export interface DeliveryView {
  summary: DeliverySummary;
  /** Per-inbox rows, once fetched (the panel, or the first look after composing). */
  inboxes: DeliveryRowDto[] | null;
  error: string | null;
}

export interface ComposeParams {
  content: string;
  visibility: Visibility;
  summary?: string;
  inReplyTo?: string;
  mediaIds?: string[];
  sensitive?: boolean;
  poll?: PollParams;
}

export interface ComposeSlice {
  replyTo: NoteDto | null;
  /** Bumped to ask the composer to take focus. */
  composerFocus: number;
  startReply(note: NoteDto): void;
  cancelReply(): void;
  compose(params: ComposeParams): Promise<ComposeResult>;
  /** Activity id of each post composed in this session, by note id. */
  activityByNote: Record<string, string>;
  deliveries: Record<string, DeliveryView>;
  applyDeliverySummary(summary: DeliverySummary): void;
  loadDeliveryProgress(activityId: string): Promise<void>;
  /** Asks the instance (batched) for the delivery of an own post composed before this page session. */
  wantDelivery(noteId: string, noteUri: string): void;
  /** Records what the store said about sent activities (their summaries; a post's Create gives its bar). */
  applySent(activities: SentActivityDto[]): void;
  /** The activity whose per-host breakdown is open, and what it is. */
  deliveryPanel: { activityId: string; title: string } | null;
  openDeliveryPanel(activityId: string | null, title?: string): void;
}

/** Own posts asked about, waiting for the next batch (note URI → note id). */
const wanted = new Map<string, string>();
/** Asked already in this page session: not asked again. */
const asked = new Set<string>();
let batchTimer: ReturnType<typeof setTimeout> | null = null;

function loadComposed(): Record<string, string> {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Asks for the wanted posts' activities, a bounded batch at a time. */
function flushWanted(get: () => Store, set: (patch: Partial<Store>) => void): void {
  batchTimer = null;
  const batch = [...wanted.entries()].slice(0, SENT_ACTIVITIES_MAX_OBJECTS);
  for (const [uri] of batch) wanted.delete(uri);
  if (wanted.size > 0) batchTimer = setTimeout(() => flushWanted(get, set), 50);
  const byUri = new Map(batch);
  api().sentActivities({ objectUris: batch.map(([uri]) => uri) }).then(({ activities }) => {
    const found: Record<string, string> = {};
    for (const a of activities) {
      const noteId = a.type === 'Create' && a.objectUri ? byUri.get(a.objectUri) : undefined;
      if (noteId && !found[noteId]) found[noteId] = a.activityId;
    }
    set({ activityByNote: { ...found, ...get().activityByNote } });
    get().applySent(activities.filter((a) => a.type === 'Create'));
  }, () => {
    for (const [uri] of batch) asked.delete(uri); // asked again the next time the post shows
  });
}

export const createComposeSlice: Slice<ComposeSlice> = (set, get) => ({
  replyTo: null,
  composerFocus: 0,
  startReply(note) {
    set({ replyTo: note, composerFocus: get().composerFocus + 1 });
    // Home and a thread have a composer; elsewhere the reply is written in the post's thread.
    if (get().view !== 'home' && get().view !== 'thread') get().navigate('thread', note.id);
  },
  cancelReply: () => set({ replyTo: null }),

  async compose(params) {
    const result = await api().compose({
      content: params.content,
      visibility: params.visibility,
      ...(params.summary ? { summary: params.summary } : {}),
      ...(params.inReplyTo ? { inReplyTo: params.inReplyTo } : {}),
      ...(params.mediaIds?.length ? { mediaIds: params.mediaIds, sensitive: !!params.sensitive } : {}),
      ...(params.poll ? { poll: params.poll } : {}),
    });
    const activityByNote = { ...get().activityByNote, [result.noteId]: result.activityId };
    set({ activityByNote, replyTo: null });
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(activityByNote));
    } catch {
      // private mode: the bars last until reload
    }
    void get().loadDeliveryProgress(result.activityId);
    void get().refreshTimeline(true);
    const thread = get().thread;
    if (get().view === 'thread' && thread) void get().loadThread(thread.key, true);
    return result;
  },

  activityByNote: loadComposed(),
  deliveries: {},

  applyDeliverySummary(summary) {
    const deliveries = { ...get().deliveries };
    const prev = deliveries[summary.activityId];
    delete deliveries[summary.activityId]; // re-insert: the most recent stay
    deliveries[summary.activityId] = { summary, inboxes: prev?.inboxes ?? null, error: null };
    const ids = Object.keys(deliveries);
    if (ids.length > MAX_TRACKED) {
      const mine = new Set(Object.values(get().activityByNote));
      for (const id of ids.slice(0, ids.length - MAX_TRACKED)) if (!mine.has(id)) delete deliveries[id];
    }
    set({ deliveries });
  },

  async loadDeliveryProgress(activityId) {
    try {
      const { inboxes, ...summary } = await api().deliveryProgress({ activityId });
      set({ deliveries: { ...get().deliveries, [activityId]: { summary, inboxes, error: null } } });
    } catch (err) {
      const prev = get().deliveries[activityId];
      if (prev) set({ deliveries: { ...get().deliveries, [activityId]: { ...prev, error: errorMessage(err) } } });
    }
  },

  wantDelivery(noteId, noteUri) {
    if (asked.has(noteUri) || get().activityByNote[noteId]) return;
    asked.add(noteUri);
    wanted.set(noteUri, noteId);
    batchTimer ??= setTimeout(() => flushWanted(get, set), 50);
  },

  applySent(activities) {
    if (activities.length === 0) return;
    const deliveries = { ...get().deliveries };
    for (const a of activities) deliveries[a.activityId] = { summary: a.summary, inboxes: deliveries[a.activityId]?.inboxes ?? null, error: null };
    set({ deliveries });
  },

  deliveryPanel: null,
  openDeliveryPanel(activityId, title = 'Delivery of this post') {
    set({ deliveryPanel: activityId ? { activityId, title } : null });
    if (activityId) void get().loadDeliveryProgress(activityId);
  },
});
