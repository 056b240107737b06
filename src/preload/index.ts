// Exposes the typed admin API to the renderer as window.outpost. Nothing else crosses.
import { contextBridge, ipcRenderer } from 'electron';
import { ADMIN_METHODS, AdminError, type AdminApi, type AdminEventName, type AdminEvents } from '../shared/adminApi';
import { ADMIN_EVENT_CHANNEL, adminChannel } from '../shared/ipcChannels';
import type { OutpostBridge } from './bridge';

const api = {} as Record<string, (params: unknown) => Promise<unknown>>;
for (const method of ADMIN_METHODS) {
  api[method] = async (params: unknown) => {
    const reply = await ipcRenderer.invoke(adminChannel(method), params ?? {});
    const err = (reply as { __outpostError?: { code: AdminError['code']; message: string } } | null)?.__outpostError;
    if (err) throw new AdminError(err.code, err.message);
    return reply;
  };
}

const bridge: OutpostBridge = {
  api: api as unknown as AdminApi,
  subscribe<K extends AdminEventName>(name: K, listener: (data: AdminEvents[K]) => void): () => void {
    const handler = (_e: unknown, msg: { name: AdminEventName; data: unknown }) => {
      if (msg.name === name) listener(msg.data as AdminEvents[K]);
    };
    ipcRenderer.on(ADMIN_EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(ADMIN_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('outpost', bridge);
