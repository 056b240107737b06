// The delivery engine's connectivity probe (a bare TCP connect to hosts we delivered to)
// goes through the same address guard as every request: a host whose name now resolves to
// a private address, or a private literal, is never connected to.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/main/core/federation/httpClient';
import { freePort } from '../support/outpost';

let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  port = await freePort('127.0.0.1');
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
});

afterAll(() => new Promise((r) => server.close(r)));

describe('connectivity probe', () => {
  it('refuses private addresses, by literal or by name, without connecting', async () => {
    const guarded = new HttpClient({ allowPrivateNetwork: false, userAgent: 'test' });
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::ffff:127.0.0.1]:${port}`, `http://0x7f000001:${port}`]) {
      expect(await guarded.canConnect(origin, 1000), origin).toBe(false);
    }
    expect(connections).toBe(0);
  });

  it('connects where private addresses are allowed (tests, LAN)', async () => {
    const open = new HttpClient({ allowPrivateNetwork: true, userAgent: 'test' });
    expect(await open.canConnect(`http://127.0.0.1:${port}`, 1000)).toBe(true);
    expect(connections).toBe(1);
    expect(await open.canConnect(`http://127.0.0.1:${await freePort('127.0.0.1')}`, 1000)).toBe(false);
  });
});
