// The admin API over Electron IPC, generated from the same contract as the HTTP
// transport. Takes ipcMain-like objects so it never imports electron (and tests can
// drive it with a fake).
import { ADMIN_ERROR_STATUS, ADMIN_METHODS, AdminError } from '../../shared/adminApi';
import { ADMIN_EVENT_CHANNEL, adminChannel } from '../../shared/ipcChannels';
import type { InstanceEvents } from '../core/events';
import { invokeAdmin, type AdminHandlers } from './adminService';
import { forwardEvents } from './eventThrottle';

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What a failed IPC call resolves to (Electron would mangle a thrown error's fields). */
export interface IpcErrorReply {
  __outpostError: { code: string; message: string; status: number };
}

export function registerAdminIpc(ipcMain: IpcMainLike, handlers: AdminHandlers): () => void {
  for (const method of ADMIN_METHODS) {
    ipcMain.handle(adminChannel(method), async (_event, params) => {
      try {
        return await invokeAdmin(handlers, method, params);
      } catch (err) {
        if (err instanceof AdminError) {
          const reply: IpcErrorReply = { __outpostError: { code: err.code, message: err.message, status: ADMIN_ERROR_STATUS[err.code] } };
          return reply;
        }
        throw err;
      }
    });
  }
  return () => {
    for (const method of ADMIN_METHODS) ipcMain.removeHandler(adminChannel(method));
  };
}

/** Sends throttled instance events to a window's webContents. */
export function forwardEventsToWindow(events: InstanceEvents, send: (channel: string, payload: unknown) => void): () => void {
  return forwardEvents(events, (name, data) => send(ADMIN_EVENT_CHANNEL, { name, data }));
}
