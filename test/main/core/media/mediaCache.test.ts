// The remote media cache against a real loopback server: one fetch per URL (concurrent asks
// share it), the least recently used file leaves when the total cap is passed, and paths
// are capabilities only this cache's key makes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { HttpClient } from '../../../../src/main/core/federation/httpClient';
import { MediaCache } from '../../../../src/main/core/media/mediaCache';
import { DEFAULT_MEDIA } from '../../../../src/main/core/config';
import { silentLogger } from '../../../../src/main/core/logger';
import { RemoteServer } from '../../../support/remote/remoteServer';
import { mediaBytes } from '../../../support/remote/mediaFiles';

const dir = mkdtempSync(join(tmpdir(), 'outpost-cache-'));
const http = new HttpClient({ allowPrivateNetwork: true, userAgent: 'outpost-test' });
const files = new Map<string, Buffer>();
const server = new RemoteServer({
  address: '127.0.2.90',
  site: { get: (path) => (files.has(path) ? { status: 200, type: 'image/png', body: files.get(path) } : undefined) },
});
let now = 1_000_000;
let cache: MediaCache;
const url = (name: string) => `${server.origin}/${name}.png`;

beforeAll(async () => {
  await server.start();
  const picture = await mediaBytes('image/png', 600, 400);
  for (const name of ['a', 'b', 'c']) files.set(`/${name}.png`, picture);
  // Room for two of the three pictures.
  cache = new MediaCache(openDatabase(':memory:'), dir, http, { ...DEFAULT_MEDIA, cacheMaxTotalBytes: picture.length * 2 + 10, cacheTouchIntervalMs: 0 }, silentLogger, () => now);
});
afterAll(async () => {
  await server.stop();
  await http.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MediaCache', () => {
  it('fetches a URL once, however many ask at the same time', async () => {
    const [one, two] = await Promise.all([cache.get(url('a'), 'i'), cache.get(url('a'), 'i')]);
    expect(one.path).toBe(two.path);
    expect(one.mediaType).toBe('image/png');
    expect(server.fetched.filter((p) => p === '/a.png')).toHaveLength(1);
    await cache.get(url('a'), 'i');
    expect(server.fetched.filter((p) => p === '/a.png')).toHaveLength(1);
  });

  it('evicts the least recently used file when the total passes the cap', async () => {
    now += 1000;
    const b = await cache.get(url('b'), 'i');
    now += 1000;
    const a = await cache.get(url('a'), 'i'); // a is used again: b is now the oldest
    now += 1000;
    await cache.get(url('c'), 'i');
    expect(existsSync(b.path)).toBe(false);
    expect(existsSync(a.path)).toBe(true);
    expect(cache.stats().files).toBe(2);
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.stats().capBytes);
  });

  it('makes paths only it can read back', () => {
    const path = cache.pathFor(url('a'), 'i')!;
    expect(cache.parsePath(path)).toEqual({ url: url('a'), kind: 'i' });
    expect(cache.parsePath(path.replace('/i/', '/av/'))).toBeNull();
    const other = new MediaCache(openDatabase(':memory:'), dir, http, DEFAULT_MEDIA, silentLogger);
    expect(other.parsePath(path)).toBeNull();
    expect(cache.pathFor('javascript:alert(1)', 'i')).toBeNull();
    expect(cache.pathFor('file:///etc/passwd', 'i')).toBeNull();
  });
});
