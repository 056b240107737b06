// The IPC transport exposes every contract method and validates params like HTTP does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_METHODS } from '../../../src/shared/adminApi';
import { adminChannel } from '../../../src/shared/ipcChannels';
import { registerAdminIpc, type IpcMainLike } from '../../../src/main/admin/ipcTransport';
import { createAdminHandlers } from '../../../src/main/admin/adminService';
import { Instance } from '../../../src/main/core/instance';

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(channel: string, params: unknown, event: unknown = { trusted: true }) {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(event, params);
  }
}

let dir: string;
let inst: Instance;
const ipc = new FakeIpcMain();
let unregister: () => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-ipc-'));
  inst = new Instance({ dataDir: dir, publicUrl: 'http://127.0.0.1:1', port: 0, username: 'ivy' });
  unregister = registerAdminIpc(ipc, createAdminHandlers(inst, { adminUrl: null, dataDir: dir }), (e) => (e as { trusted?: boolean }).trusted === true);
});
afterAll(async () => {
  await inst.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('admin API over IPC', () => {
  it('registers exactly one handler per contract method', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(ADMIN_METHODS.map(adminChannel).sort());
  });

  it('answers a valid call', async () => {
    const status = (await ipc.invoke(adminChannel('status'), {})) as any;
    expect(status.username).toBe('ivy');
    const composed = (await ipc.invoke(adminChannel('compose'), { content: 'via IPC' })) as any;
    expect(composed.noteId).toMatch(/^[a-z0-9]+$/);
  });

  it('rejects bad params with a structured error naming the field', async () => {
    const cases: [string, unknown, string][] = [
      ['compose', { content: 42 }, 'content'],
      ['compose', {}, 'content'],
      ['compose', { content: 'x', visibility: 'everyone' }, 'visibility'],
      ['timeline', { limit: 0 }, 'limit'],
      ['follow', { handle: 'x', extra: 1 }, 'extra'],
      ['like', 'not an object', 'params'],
    ];
    for (const [method, params, field] of cases) {
      const reply = (await ipc.invoke(adminChannel(method as never), params)) as any;
      expect(reply.__outpostError, `${method} ${JSON.stringify(params)}`).toMatchObject({ code: 'bad_params', status: 400 });
      expect(reply.__outpostError.message).toContain(field);
    }
  });

  it('reports domain errors the same way', async () => {
    const reply = (await ipc.invoke(adminChannel('deleteNote'), { noteId: 'nope' })) as any;
    expect(reply.__outpostError).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('refuses a call from anything but the Outpost window, without running it', async () => {
    const before = inst.notes.countBy(inst.identity.actor);
    const reply = (await ipc.invoke(adminChannel('compose'), { content: 'from an embedded frame' }, { trusted: false })) as any;
    expect(reply.__outpostError).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(reply.__outpostError.message).toBe('compose: not called from the Outpost window');
    expect(inst.notes.countBy(inst.identity.actor)).toBe(before);
  });

  it('unregisters every handler', () => {
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});
