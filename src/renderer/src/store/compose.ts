// The composer (reply context, sending) and the delivery progress of posts composed in
// this session: activity ids by note id, summaries from live 'delivery' events, and the
// per-inbox breakdown fetched when its panel is open.
import type { ComposeResult, DeliveryRowDto, DeliverySummary, NoteDto, Visibility } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import type { Slice } from './types';

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
  /** The note whose per-host breakdown is open. */
  deliveryPanel: string | null;
  openDeliveryPanel(noteId: string | null): void;
}

function loadComposed(): Record<string, string> {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export const createComposeSlice: Slice<ComposeSlice> = (set, get) => ({
  replyTo: null,
  composerFocus: 0,
  startReply(note) {
    set({ replyTo: note, composerFocus: get().composerFocus + 1 });
    get().navigate('home');
  },
  cancelReply: () => set({ replyTo: null }),

  async compose(params) {
    const result = await api().compose({
      content: params.content,
      visibility: params.visibility,
      ...(params.summary ? { summary: params.summary } : {}),
      ...(params.inReplyTo ? { inReplyTo: params.inReplyTo } : {}),
      ...(params.mediaIds?.length ? { mediaIds: params.mediaIds, sensitive: !!params.sensitive } : {}),
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

  deliveryPanel: null,
  openDeliveryPanel(noteId) {
    set({ deliveryPanel: noteId });
    const activityId = noteId ? get().activityByNote[noteId] : undefined;
    if (activityId) void get().loadDeliveryProgress(activityId);
  },
});
