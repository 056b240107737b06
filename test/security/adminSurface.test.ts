// The admin port, as a hostile web page or a careless log would meet it: DNS rebinding is
// refused by Host before the token is looked at, malformed paths are 400 (never a 500
// with a stack), and logs never print a query string or a token.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadless, type RunningHeadless } from '../../src/main/headless';
import { freePort } from '../support/outpost';
import type { Logger } from '../../src/main/core/logger';
import { isOwnHost } from '../../src/main/admin/httpTransport';

const logged: string[] = [];
const log: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
let running: RunningHeadless;
let dataDir: string;
let port: number;

/** A raw request with any Host header (fetch would not let us set it). */
function send(path: string, opts: { host?: string; method?: string; body?: string; token?: string | null; origin?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: opts.method ?? 'POST',
      headers: {
        host: opts.host ?? `127.0.0.1:${port}`,
        'content-type': 'application/json',
        ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? running.token}` }),
        ...(opts.origin ? { origin: opts.origin } : {}),
      },
    }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body ?? (opts.method === 'GET' ? undefined : '{}'));
  });
}

const notes = () => running.instance.notes.countBy(running.instance.identity.actor);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-admin-surface-'));
  running = await startHeadless({
    dataDir, port: await freePort('127.0.9.30'), adminPort: 0, publicUrl: 'http://127.0.9.30:1', username: 'owner', allowPrivateNetwork: true,
  }, log);
  port = Number(new URL(running.adminUrl).port);
});

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the admin port checks Host before anything else', () => {
  it.each([
    ['a rebound name', () => `evil.example:${port}`],
    ['a rebound name without a port', () => 'evil.example'],
    ['our address on another port', () => `127.0.0.1:${port + 1}`],
    ['a name that merely starts like ours', () => `localhost.evil.example:${port}`],
    ['another loopback address', () => `127.0.0.2:${port}`],
  ])('%s: 403 even with the right token, and nothing is done', async (_what, host) => {
    const before = notes();
    const res = await send('/rpc/compose', { host: host(), body: JSON.stringify({ content: 'via rebinding' }) });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('forbidden');
    expect(notes()).toBe(before);
  });

  it('refuses the UI and the event stream to a rebound name too', async () => {
    expect((await send('/', { host: `evil.example:${port}`, method: 'GET', token: null })).status).toBe(403);
    expect((await send(`/events?token=${running.token}`, { host: `evil.example:${port}`, method: 'GET', token: null })).status).toBe(403);
  });

  it('answers our own names on our port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await send('/rpc/status', { host })).status, host).toBe(200);
    }
  });

  it('still refuses a cross-origin page with the right Host', async () => {
    const before = notes();
    const res = await send('/rpc/compose', { origin: 'http://evil.example', body: JSON.stringify({ content: 'x' }) });
    expect(res.status).toBe(403);
    expect(notes()).toBe(before);
  });

  it('isOwnHost takes only loopback names with the exact port', () => {
    expect(isOwnHost('127.0.0.1:8738', 8738)).toBe(true);
    expect(isOwnHost('[::1]:8738', 8738)).toBe(true);
    expect(isOwnHost(undefined, 8738)).toBe(false);
    expect(isOwnHost('127.0.0.1', 8738)).toBe(false);
    expect(isOwnHost('127.0.0.1:08738x', 8738)).toBe(false);
    expect(isOwnHost('[::1]:8738', undefined)).toBe(false);
  });
});

describe('malformed paths and logs', () => {
  it('a malformed percent-escape is 400 for the API and the UI alike, and logs no stack', async () => {
    logged.length = 0;
    const rpc = await send('/rpc/%zz');
    expect(rpc.status).toBe(400);
    expect(JSON.parse(rpc.body).error.code).toBe('bad_request');
    const ui = await send('/%zz?token=hunter2-secret', { method: 'GET', token: null });
    expect(ui.status).toBe(400);
    expect(logged.filter((l) => /URIError|at .*\(/.test(l))).toEqual([]);
  });

  it('logs never print a query string or the token', async () => {
    logged.length = 0;
    await send('/rpc/%zz?token=hunter2-secret');
    await send('/%zz?token=hunter2-secret', { method: 'GET', token: null });
    await send(`/events?token=${running.token}`, { method: 'GET', token: null, host: 'evil.example' });
    await send('/rpc/status', { token: 'wrong-token-value' });
    const all = logged.join('\n');
    expect(all).not.toContain('hunter2-secret');
    expect(all).not.toContain(running.token);
    expect(all).not.toContain('wrong-token-value');
  });
});
