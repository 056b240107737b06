// The loopback relay the tunnel client connects to instead of the public server's address.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalForwarder } from '../../../../src/main/core/tunnel/localForwarder';
import { silentLogger } from '../../../../src/main/core/logger';
import { freePort } from '../../../support/outpost';

const IP = '127.0.4.40';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function exchange(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ host: 'localhost', port }, () => s.end(send));
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

describe('LocalForwarder', () => {
  it("relays raw bytes from 'localhost' to the target, Host header untouched", async () => {
    const echo: Server = createServer((s) => s.pipe(s));
    const port = await freePort(IP);
    await new Promise<void>((r) => echo.listen(port, IP, () => r()));
    cleanup.push(() => new Promise<void>((r) => echo.close(() => r())));
    const fwd = new LocalForwarder({ host: IP, port }, silentLogger);
    cleanup.push(() => fwd.close());
    const local = await fwd.listen();
    expect(local).toBeGreaterThan(0);
    const request = 'POST /inbox HTTP/1.1\r\nHost: quiet-fox.loca.lt\r\nContent-Length: 2\r\n\r\n{}';
    expect(await exchange(local, request)).toBe(request);
  });

  it('holds a connection whose target refuses for a moment, then closes it; close() ends everything', async () => {
    const port = await freePort(IP);
    const fwd = new LocalForwarder({ host: IP, port }, silentLogger);
    const local = await fwd.listen();
    const started = Date.now();
    expect(await exchange(local, 'GET / HTTP/1.1\r\n\r\n')).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const pending = exchange(local, 'GET / HTTP/1.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const closing = Date.now();
    await fwd.close();
    await pending;
    expect(Date.now() - closing).toBeLessThan(500);
  });
});
