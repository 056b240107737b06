// Notifications (likes and boosts already grouped per post by the server) and what the
// user has seen: read marks live on the instance (markNotificationsRead), so every window
// agrees; the newest time seen is also kept locally so the badge clears at once.
import type { NotificationDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { adoptAll, localClock } from '../lib/localChanges';
import type { LoadStatus, Slice } from './types';

const SEEN_KEY = 'outpost.notificationsSeenAt';
const PAGE = 30;

export interface NotificationsState {
  items: NotificationDto[];
  next: string | null;
  status: LoadStatus;
  error: string | null;
  loadingMore: boolean;
}

export interface NotificationsSlice {
  notifications: NotificationsState;
  notificationsSeenAt: number;
  loadNotifications(): Promise<void>;
  loadMoreNotifications(): Promise<void>;
  markNotificationsSeen(): void;
}

function storedSeenAt(): number {
  const n = Number(localStorage.getItem(SEEN_KEY));
  return Number.isFinite(n) ? n : 0;
}

export const createNotificationsSlice: Slice<NotificationsSlice> = (set, get) => {
  const setN = (patch: Partial<NotificationsState>) => set({ notifications: { ...get().notifications, ...patch } });
  return {
    notifications: { items: [], next: null, status: 'idle', error: null, loadingMore: false },
    notificationsSeenAt: storedSeenAt(),

    async loadNotifications() {
      const n = get().notifications;
      if (n.status !== 'ready') setN({ status: 'loading', error: null });
      const since = localClock();
      try {
        const page = await api().notifications({ limit: PAGE });
        const cur = get().notifications;
        // Keep older pages already loaded below the fresh first page.
        const fresh = new Set(page.notifications.map((x) => x.id));
        const oldestFresh = page.notifications.at(-1)?.at ?? 0;
        const older = page.next ? cur.items.filter((x) => !fresh.has(x.id) && x.at < oldestFresh) : [];
        setN({
          items: [...adoptAll(page.notifications, since), ...older], next: older.length > 0 ? cur.next : page.next, status: 'ready', error: null,
        });
        const readUpTo = page.notifications.filter((x) => x.read).reduce((m, x) => Math.max(m, x.at), 0);
        if (readUpTo > get().notificationsSeenAt) set({ notificationsSeenAt: readUpTo });
      } catch (err) {
        setN({ status: get().notifications.items.length > 0 ? 'ready' : 'error', error: errorMessage(err) });
      }
    },

    async loadMoreNotifications() {
      const n = get().notifications;
      if (!n.next || n.loadingMore) return;
      setN({ loadingMore: true });
      try {
        const page = await api().notifications({ limit: PAGE, before: n.next });
        const ids = new Set(get().notifications.items.map((x) => x.id));
        setN({ items: [...get().notifications.items, ...page.notifications.filter((x) => !ids.has(x.id))], next: page.next, loadingMore: false });
      } catch (err) {
        setN({ loadingMore: false });
        get().toast(`Could not load older notifications: ${errorMessage(err)}`);
      }
    },

    markNotificationsSeen() {
      const items = get().notifications.items;
      const newest = items.reduce((m, x) => Math.max(m, x.at), 0);
      if (newest <= get().notificationsSeenAt) return;
      set({ notificationsSeenAt: newest });
      const newestId = items.reduce((m, x) => (x.id > m ? x.id : m), '');
      if (newestId) void api().markNotificationsRead({ upTo: newestId }).catch(() => {});
      try {
        localStorage.setItem(SEEN_KEY, String(newest));
      } catch {
        // not persisted
      }
    },
  };
};
