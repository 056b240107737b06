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

/**
 * Registers one handler per contract method. `isTrustedSender` sees each call's IPC event
 * (in Electron: is `event.senderFrame` the app's own page?); a call from anything else — a
 * frame the page embeds, a page it was navigated to — is refused without running.
 */
export function registerAdminIpc(ipcMain: IpcMainLike, handlers: AdminHandlers, isTrustedSender: (event: unknown) => boolean): () => void {
  for (const method of ADMIN_METHODS) {
    ipcMain.handle(adminChannel(method), async (event, params) => {
      if (!isTrustedSender(event)) return errorReply(new AdminError('unauthorized', `${method}: not called from the Outpost window`));
      try {
        return await invokeAdmin(handlers, method, params);
      } catch (err) {
        if (err instanceof AdminError) return errorReply(err);
        throw err;
      }
    });
  }
  return () => {
    for (const method of ADMIN_METHODS) ipcMain.removeHandler(adminChannel(method));
  };
}

function errorReply(err: AdminError): IpcErrorReply {
  return { __outpostError: { code: err.code, message: err.message, status: ADMIN_ERROR_STATUS[err.code] } };
}

/** Sends throttled instance events to a window's webContents. */
export function forwardEventsToWindow(events: InstanceEvents, send: (channel: string, payload: unknown) => void): () => void {
  return forwardEvents(events, (name, data) => send(ADMIN_EVENT_CHANNEL, { name, data }));
}
