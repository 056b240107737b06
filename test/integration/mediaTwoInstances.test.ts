// Two real instances on loopback: A posts two pictures with alt text; B shows them from its
// own media cache; what A serves carries no EXIF (a JPEG with GPS goes in, no GPS comes out);
// deleting the post deletes its files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { jpegWithGps, metadataOf, png } from '../support/images';

let a: TestOutpost;
let b: TestOutpost;

beforeAll(async () => {
  a = await startOutpost({ host: '127.0.1.21', username: 'alice' });
  b = await startOutpost({ host: '127.0.1.22', username: 'bob' });
  await b.rpc('follow', { handle: a.handle });
  await eventually(async () => (await b.rpc('following')).find((f) => f.state === 'accepted'), 10_000, 'Accept');
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe('pictures between two instances', () => {
  let photo: Buffer;
  let noteId = '';
  let urls: string[] = [];

  it('the test photo really carries GPS before it is uploaded', async () => {
    photo = await jpegWithGps(5000, 1000);
    const meta = await metadataOf(photo);
    expect(meta).toMatchObject({ exif: true, gps: true, width: 5000 });
  });

  it('A uploads a JPEG and a PNG: stripped, scaled to 4096 px, with blurhash and dimensions', async () => {
    const up1 = await a.rpc('uploadMedia', { data: photo.toString('base64'), mediaType: 'image/jpeg', description: 'An orange field at dusk' });
    expect(up1).toMatchObject({ kind: 'image', mediaType: 'image/jpeg', width: 4096, height: 819 });
    expect(up1.blurhash).toMatch(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,}$/);
    const up2 = await a.rpc('uploadMedia', { data: (await png()).toString('base64'), mediaType: 'image/png', description: 'A blue square' });
    expect(up2).toMatchObject({ kind: 'image', mediaType: 'image/png', width: 320, height: 200 });
    urls = [up1.url, up2.url];
    const res = await a.rpc('compose', { content: 'Two pictures', mediaIds: [up1.mediaId, up2.mediaId], sensitive: false });
    noteId = res.noteId;
  });

  it("A serves the files on its public port with type, length and caching, and no EXIF or GPS", async () => {
    const res = await fetch(urls[0]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    expect(await metadataOf(body)).toMatchObject({ exif: false, gps: false, width: 4096, format: 'jpeg' });
    const range = await fetch(urls[0]!, { headers: { range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(body.subarray(0, 10));
  });

  it("the note's AS2 carries the attachments with alt text, blurhash and dimensions", async () => {
    const note = await (await fetch(`${a.publicUrl}/notes/${noteId}`, { headers: { accept: 'application/activity+json' } })).json() as any;
    expect(note.attachment).toHaveLength(2);
    expect(note.attachment[0]).toMatchObject({ type: 'Document', mediaType: 'image/jpeg', url: urls[0], name: 'An orange field at dusk', width: 4096, height: 819 });
    expect(note.attachment[0].blurhash).toBeTruthy();
    expect(note.attachment[1]).toMatchObject({ mediaType: 'image/png', name: 'A blue square', width: 320, height: 200 });
    expect(note.sensitive).toBe(false);
  });

  it("B shows them from B's own cache: the same bytes, from B's admin origin", async () => {
    const entry = await eventually(async () => (await b.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('Two pictures')), 10_000, 'note on B');
    const [first, second] = entry.note.attachments;
    expect(first).toMatchObject({ kind: 'image', url: urls[0], description: 'An orange field at dusk', width: 4096, height: 819 });
    expect(second).toMatchObject({ kind: 'image', url: urls[1], description: 'A blue square' });
    expect(first!.src).toMatch(/^\/media\/cache\//);
    const fromB = await fetch(`${b.running.adminUrl}${first!.src}`);
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get('content-type')).toBe('image/jpeg');
    expect(fromB.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const fromA = Buffer.from(await (await fetch(urls[0]!)).arrayBuffer());
    expect(Buffer.from(await fromB.arrayBuffer())).toEqual(fromA);
    expect((await b.rpc('storage')).cache.files).toBe(1);
    // A path the instance did not make is not a fetch on demand.
    const forged = first!.src!.replace(/\/media\/cache\/i\/[^/]+\//, '/media/cache/i/AAAAAAAAAAAAAAAAAAAAAA/');
    expect((await fetch(`${b.running.adminUrl}${forged}`)).status).toBe(404);
  });

  it('Settings → Storage counts the uploads; clearing the cache empties it', async () => {
    const storage = await a.rpc('storage');
    expect(storage.uploads.files).toBe(2);
    expect(storage.uploads.bytes).toBeGreaterThan(0);
    const cleared = await b.rpc('clearMediaCache');
    expect(cleared.cache).toMatchObject({ files: 0, bytes: 0 });
  });

  it("deleting the post deletes its files: A's URLs answer 404", async () => {
    await a.rpc('deleteNote', { noteId });
    for (const url of urls) expect((await fetch(url)).status).toBe(404);
    expect((await a.rpc('storage')).uploads.files).toBe(0);
  });

  it('a wrong type, a lie about the type, and too many pictures get clear errors', async () => {
    const html = Buffer.from('<!doctype html><p>not a picture</p>');
    const lie = await a.rpcRaw('uploadMedia', { data: html.toString('base64'), mediaType: 'image/png' });
    expect(lie.status).toBe(400);
    expect(lie.body.error.message).toMatch(/not a picture, video or sound/);
    const bad = await a.rpcRaw('uploadMedia', { data: html.toString('base64'), mediaType: 'text/html' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/mediaType/);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await a.rpc('uploadMedia', { data: (await png(8, 8)).toString('base64'), mediaType: 'image/png' })).mediaId);
    const tooMany = await a.rpcRaw('compose', { content: 'five', mediaIds: ids });
    expect(tooMany.status).toBe(400);
    const empty = await a.rpcRaw('compose', { content: ' ' });
    expect(empty.body.error.message).toMatch(/needs text or media/);
  });
});
