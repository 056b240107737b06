// Hostile media: what a stranger's post may point the instance at. A 100 MB picture (announced,
// or streamed without a length), a server that drips bytes, an HTML page sent as image/png, an
// SVG with a script, a redirect into this machine's loopback: each is refused or cut off by the
// instance's media cache, nothing of it is kept or served, nothing else breaks, and the post
// still shows (its other pictures too). The instance runs with the SSRF guard on (only the
// remote's own address is allowed), so the loopback redirect meets the real guard.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';
import { mediaBytes } from '../support/remote/mediaFiles';
import { listen } from '../../src/main/core/http/httpUtil';
import type { NoteDto } from '../../src/shared/dto';

const MiB = 1024 * 1024;
const REMOTE_ADDRESS = '127.0.1.51';
let outpost: TestOutpost;
let remote: FakeRemote;
let trap: Server;
let trapHits = 0;
let dataDir = '';
const streamed: Record<string, number> = {};
const open = new Set<ServerResponse>();

/** Writes `total` bytes (a JPEG's first bytes, then zeros) as fast as the reader takes them, counting what left. */
function stream(name: string, total: number, withLength: boolean) {
  return (res: ServerResponse) => {
    open.add(res);
    res.writeHead(200, { 'content-type': 'image/jpeg', ...(withLength ? { 'content-length': String(total) } : {}) });
    streamed[name] = 0;
    const chunk = Buffer.alloc(64 * 1024);
    chunk.set([0xff, 0xd8, 0xff, 0xe0]);
    const pump = () => {
      while (streamed[name]! < total && !res.destroyed) {
        streamed[name]! += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

const files: Record<string, { type: string; body?: Buffer | string; serve?: (res: ServerResponse) => void; status?: number; location?: string }> = {};

beforeAll(async () => {
  trap = createServer((_req, res) => {
    trapHits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end('secret');
  });
  const trapPort = await listen(trap, 0, '127.0.0.1');
  Object.assign(files, {
    '/ok.jpg': { type: 'image/jpeg', body: await mediaBytes('image/jpeg') },
    '/huge-announced.jpg': { type: 'image/jpeg', serve: stream('announced', 100 * MiB, true) },
    '/huge-streamed.jpg': { type: 'image/jpeg', serve: stream('streamed', 100 * MiB, false) },
    '/drip.jpg': {
      type: 'image/jpeg', serve: (res: ServerResponse) => {
        open.add(res);
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(1))), 100);
        res.on('close', () => clearInterval(t));
      },
    },
    '/page.png': { type: 'image/png', body: '<!doctype html><html><body><script>alert(1)</script><p>not a picture</p></body></html>' },
    '/script.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script><rect width="10" height="10"/></svg>' },
    '/redirect.png': { type: 'text/plain', status: 302, location: `http://127.0.0.1:${trapPort}/secret.png` },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-media-sec-'));
  outpost = await startOutpost({
    host: '127.0.1.50', username: 'alice', dataDir, privateNetworkAllowlist: [REMOTE_ADDRESS], media: { cacheImageTimeoutMs: 1500 },
  });
  remote = await new FakeRemote({ host: REMOTE_ADDRESS, kind: 'mastodon', vars: { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host } }).start();
  for (const [path, f] of Object.entries(files)) {
    remote.files.set(path, { status: f.status ?? 200, type: f.type, body: f.body, serve: f.serve, location: f.location });
  }
  await outpost.rpc('follow', { handle: remote.handle });
  const follow = await eventually(() => remote.received.find((r) => r.json?.type === 'Follow'), 10_000, 'Follow');
  await remote.post(`${outpost.publicUrl}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/accepts/1`, type: 'Accept', actor: remote.actorId, object: follow.json });
  await eventually(async () => (await outpost.rpc('following')).find((f) => f.state === 'accepted'), 10_000, 'accepted');
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await outpost?.stop();
  await remote?.stop();
  await new Promise((r) => trap?.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile media in a post', () => {
  let note: NoteDto;
  const src = (path: string) => note.attachments.find((a) => a.url === `${remote.origin}${path}`)!.src!;
  const get = (path: string) => fetch(`${outpost.running.adminUrl}${path}`);

  it('the post arrives and is stored with every attachment, hostile or not', async () => {
    const create = remote.fixture('create-note-media');
    create.object.content = '<p>hostile media :evil:</p>';
    create.object.attachment = Object.keys(files).map((path) => ({ type: 'Document', mediaType: 'image/jpeg', url: `${remote.origin}${path}`, name: `file ${path}` }));
    create.object.tag = [{ type: 'Emoji', name: ':evil:', icon: { type: 'Image', mediaType: 'image/svg+xml', url: `${remote.origin}/script.svg` } }];
    expect((await remote.post(`${outpost.publicUrl}/inbox`, create)).status).toBe(202);
    note = (await eventually(async () => (await outpost.rpc('timeline', {})).entries.find((e) => e.note.uri === create.object.id), 10_000, 'post')).note;
    expect(note.attachments).toHaveLength(Object.keys(files).length);
  });

  it('a real picture beside them is served (the path works)', async () => {
    const res = await get(src('/ok.jpg'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
  });

  it('100 MB announced by Content-Length: refused before the body is read', async () => {
    const res = await get(src('/huge-announced.jpg'));
    expect(res.status).toBe(502);
    expect(res.headers.get('x-outpost-media')).toBe('unavailable');
    expect(streamed.announced!).toBeLessThan(16 * MiB);
  });

  it('100 MB streamed without a length: cut off at the 16 MiB cap', async () => {
    const res = await get(src('/huge-streamed.jpg'));
    expect(res.status).toBe(502);
    await eventually(() => streamed.streamed! < 100 * MiB, 2000, 'the stream stopped');
    expect(streamed.streamed!).toBeLessThan(24 * MiB);
  });

  it('a slow drip: given up at the deadline, and not asked for again at once', async () => {
    let started = Date.now();
    expect((await get(src('/drip.jpg'))).status).toBe(502);
    expect(Date.now() - started).toBeLessThan(4000);
    started = Date.now();
    expect((await get(src('/drip.jpg'))).status).toBe(502);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('an HTML page sent as image/png is not a picture', async () => {
    expect((await get(src('/page.png'))).status).toBe(502);
  });

  it('an SVG with a script is never a picture, as an attachment or an emoji', async () => {
    expect((await get(src('/script.svg'))).status).toBe(502);
    const emoji = note.emojis.find((e) => e.shortcode === 'evil')!;
    const res = await get(emoji.src);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).not.toMatch(/svg/);
  });

  it('a redirect to a loopback address is refused by the guard: nothing reaches it', async () => {
    expect((await get(src('/redirect.png'))).status).toBe(502);
    expect(trapHits).toBe(0);
  });

  it('nothing hostile was kept: one file in the cache, no leftovers', async () => {
    expect((await outpost.rpc('storage')).cache.files).toBe(1);
    const left = readdirSync(join(dataDir, 'media-cache'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the instance carries on: the post is still there, and posting works', async () => {
    expect((await outpost.rpc('timeline', {})).entries.some((e) => e.note.id === note.id)).toBe(true);
    const { noteId } = await outpost.rpc('compose', { content: 'still here' });
    expect(noteId).toBeTruthy();
  });
});
