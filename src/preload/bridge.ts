import type { AdminApi, AdminEventName, AdminEvents } from '../shared/adminApi';

/** What the preload exposes as `window.outpost`. */
export interface OutpostBridge {
  api: AdminApi;
  subscribe<K extends AdminEventName>(name: K, listener: (data: AdminEvents[K]) => void): () => void;
}
