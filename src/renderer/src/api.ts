// The renderer's admin client: window.outpost in Electron, HTTP to the admin port in a
// browser (the token arrives once in the URL fragment and stays in session storage).
import { ADMIN_METHODS, AdminError, type AdminApi, type AdminEventName, type AdminEvents } from '../../shared/adminApi';

const TOKEN_KEY = 'outpost.adminToken';

function browserToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpApi(token: string): AdminApi {
  const api = {} as Record<string, (p: unknown) => Promise<unknown>>;
  for (const method of ADMIN_METHODS) {
    api[method] = async (params: unknown) => {
      let res: Response;
      try {
        res = await fetch(`/rpc/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(params ?? {}),
        });
      } catch {
        throw new AdminError('remote_error', 'The instance is not reachable. Is it still running?');
      }
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new AdminError(body?.error?.code ?? 'remote_error', body?.error?.message ?? `HTTP ${res.status}`);
      return body;
    };
  }
  return api as unknown as AdminApi;
}

export interface Client {
  api: AdminApi;
  subscribe<K extends AdminEventName>(name: K, listener: (data: AdminEvents[K]) => void): () => void;
  /**
   * Event-stream health (browser only; IPC in Electron cannot drop). Called with false when
   * the stream breaks and true when it is back: events may have been missed in between.
   */
  onConnection?(listener: (connected: boolean) => void): () => void;
}

/** The client, or null when running in a browser without a token. */
export function connect(): Client | null {
  if (window.outpost) return window.outpost;
  const token = browserToken();
  if (!token) return null;
  const source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  const connectionListeners = new Set<(connected: boolean) => void>();
  let connected: boolean | null = null;
  const setConnected = (c: boolean) => {
    if (c === connected) return;
    connected = c;
    for (const l of connectionListeners) l(c);
  };
  source.addEventListener('open', () => setConnected(true));
  source.addEventListener('error', () => setConnected(false));
  return {
    api: httpApi(token),
    subscribe(name, listener) {
      const handler = (e: MessageEvent) => listener(JSON.parse(e.data));
      source.addEventListener(name, handler);
      return () => source.removeEventListener(name, handler);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
