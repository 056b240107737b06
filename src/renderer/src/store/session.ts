// Which view is open, the instance status, queue stats, the event stream's health, toasts.
import type { QueueStatsDto, StatusDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { explainError } from '../../../shared/errorText';
import { parseRoute, routeHash, sameRoute } from '../lib/route';
import type { LoadStatus, Slice } from './types';

export const VIEWS = ['home', 'notifications', 'people', 'profile', 'dashboard', 'hosts', 'settings', 'thread', 'search', 'tag', 'bookmarks'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** The raw error behind an error toast, shown on demand. */
  detail?: string | null;
}

export interface SessionSlice {
  view: ViewName;
  /** The open view's argument (a note id, a handle, a query), from the route. */
  routeArg: string | null;
  /** Opens a view (and argument) as a new history entry; Back returns. */
  navigate(view: ViewName, arg?: string | null): void;
  /** Follows the address bar after Back/Forward or a typed link. */
  syncRoute(): void;
  status: StatusDto | null;
  statusState: LoadStatus;
  statusError: string | null;
  loadStatus(): Promise<void>;
  queue: QueueStatsDto | null;
  setQueue(q: QueueStatsDto): void;
  loadQueue(): Promise<void>;
  /** False while the live event stream is broken (browser only). */
  connected: boolean;
  setConnected(c: boolean): void;
  toasts: Toast[];
  toast(message: string, kind?: Toast['kind'], detail?: string | null): void;
  /** An error toast in the user's language ("Could not follow: Server not found…"), the raw error in its details. */
  toastError(what: string, err: unknown): void;
  dismissToast(id: number): void;
}

export function routeFromHash(hash: string): { view: ViewName; arg: string | null } {
  return parseRoute(hash, VIEWS, 'home');
}

let toastSeq = 0;

export const createSessionSlice: Slice<SessionSlice> = (set, get) => ({
  ...(() => {
    const r = routeFromHash(window.location.hash);
    return { view: r.view, routeArg: r.arg };
  })(),
  navigate(view, arg = null) {
    const next = { view, arg };
    if (sameRoute({ view: get().view, arg: get().routeArg }, next)) return;
    set({ view, routeArg: arg });
    const hash = routeHash(next);
    if (window.location.hash !== hash) history.pushState(null, '', hash);
  },
  syncRoute() {
    const r = routeFromHash(window.location.hash);
    if (!sameRoute({ view: get().view, arg: get().routeArg }, r)) set({ view: r.view, routeArg: r.arg });
  },
  status: null,
  statusState: 'idle',
  statusError: null,
  async loadStatus() {
    if (!get().status) set({ statusState: 'loading' });
    try {
      const status = await api().status({});
      set({ status, statusState: 'ready', statusError: null });
    } catch (err) {
      set({ statusState: get().status ? 'ready' : 'error', statusError: errorMessage(err) });
    }
  },
  queue: null,
  setQueue: (queue) => set({ queue }),
  async loadQueue() {
    try {
      set({ queue: await api().queueStats({}) });
    } catch {
      // The status footer just keeps its last numbers.
    }
  },
  connected: true,
  setConnected: (connected) => set({ connected }),
  toasts: [],
  toast(message, kind = 'error', detail = null) {
    const id = ++toastSeq;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, message, detail }] });
    setTimeout(() => get().dismissToast(id), kind === 'error' ? 8000 : 4000);
  },
  toastError(what, err) {
    const e = explainError(err);
    get().toast(`${what}: ${e.message}`, 'error', e.detail);
  },
  dismissToast(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
});
