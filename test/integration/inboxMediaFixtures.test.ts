// Photo, video and sound posts as Mastodon, Misskey, GoToSocial, Pleroma and Pixelfed send
// them (test/fixtures/inbox/<server>/create-note-media.json), signed and POSTed to a real
// Outpost by fake remote servers that also serve the media. Checked as the user's window
// sees them: the stored attachments, alt text, blurhash, sensitive flag and custom emoji,
// and the media itself served from the instance's cache with the type its bytes have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote, MEDIA_SERVER_KINDS, type MediaServerKind } from '../support/remote/fakeRemote';
import { serveMediaOf } from '../support/remote/mediaFiles';
import type { AttachmentDto } from '../../src/shared/dto';

type Want = Partial<AttachmentDto> & { served: string };
const EXPECT: Record<MediaServerKind, { text: string; sensitive: boolean; attachments: Want[]; emojis: string[]; authorEmojis?: string[] }> = {
  mastodon: {
    text: 'Two from this morning', sensitive: false, emojis: ['blobcat'],
    attachments: [
      { kind: 'image', mediaType: 'image/jpeg', description: 'A lighthouse on a rocky shore under a pale morning sky', width: 640, height: 480, blurhash: 'UGF5?xYk^6#M@-5c,1J5@[or[Q6.{dSiwfJA', served: 'image/jpeg' },
      { kind: 'image', mediaType: 'image/png', description: null, width: 320, height: 200, served: 'image/png' },
    ],
  },
  misskey: {
    // The actor's name says :blobcat: but declares no such emoji: it stays text.
    text: 'ねこ', sensitive: true, emojis: ['blobcat_wave'], authorEmojis: [],
    attachments: [{ kind: 'image', mediaType: 'image/webp', description: null, blurhash: null, served: 'image/webp' }],
  },
  gotosocial: {
    text: 'the sloth, moving', sensitive: false, emojis: [],
    attachments: [{ kind: 'video', mediaType: 'video/mp4', description: 'A sloth climbs a branch, very slowly', blurhash: 'LNJ@Xo?b~qofoLj[ayj[~qj[IUfQ', served: 'video/mp4' }],
  },
  pleroma: {
    text: 'new mix is up', sensitive: true, emojis: ['pleroma'],
    attachments: [
      { kind: 'image', mediaType: 'image/jpeg', description: 'Cover art: a cassette tape on a wooden desk', served: 'image/jpeg' },
      { kind: 'audio', mediaType: 'audio/mpeg', description: 'The mix, 3 minutes', served: 'audio/mpeg' },
    ],
  },
  pixelfed: {
    text: 'Low tide at the lighthouse', sensitive: false, emojis: [], authorEmojis: ['pixelfed'],
    attachments: [{ kind: 'image', mediaType: 'image/jpeg', description: 'A white lighthouse at low tide, wet sand in the foreground', width: 640, height: 480, served: 'image/jpeg' }],
  },
};

let outpost: TestOutpost;
beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.1.30', username: 'alice' });
});
afterAll(async () => {
  await outpost?.stop();
});

describe.each(MEDIA_SERVER_KINDS.map((kind, i) => ({ kind, i })))('media from $kind', ({ kind, i }) => {
  const want = EXPECT[kind];
  let remote: FakeRemote;
  let served = new Map<string, Buffer>();
  const admin = (path: string, init?: RequestInit) => fetch(`${outpost.running.adminUrl}${path}`, init);

  beforeAll(async () => {
    remote = await new FakeRemote({ host: `127.0.1.${31 + i}`, kind, vars: { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host } }).start();
    served = new Map([...(await serveMediaOf(remote, remote.actor)), ...(await serveMediaOf(remote, remote.fixture('create-note-media')))]);
    await outpost.rpc('follow', { handle: remote.handle });
    const follow = await eventually(() => remote.received.find((r) => r.json?.type === 'Follow'), 10_000, 'Follow');
    const accept = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/accepts/${i}`, type: 'Accept', actor: remote.actorId, object: follow.json };
    expect((await remote.post(`${outpost.publicUrl}/inbox`, accept)).status).toBe(202);
    await eventually(async () => (await outpost.rpc('following')).find((f) => f.actor.uri === remote.actorId && f.state === 'accepted'), 10_000, 'accepted');
  });
  afterAll(async () => {
    await remote?.stop();
  });

  it('the post is stored with its attachments, alt text, blurhash, sensitive flag and emoji', async () => {
    const create = remote.fixture('create-note-media');
    expect((await remote.post(`${outpost.publicUrl}/inbox`, create)).status).toBe(202);
    const entry = await eventually(async () => (await outpost.rpc('timeline', {})).entries.find((e) => e.note.uri === create.object.id), 10_000, 'the post');
    const note = entry.note;
    expect(note.contentHtml).toContain(want.text);
    expect(note.contentHtml).not.toMatch(/<img/);
    expect(note.sensitive).toBe(want.sensitive);
    expect(note.attachments).toHaveLength(want.attachments.length);
    note.attachments.forEach((a, n) => {
      const { served: _s, ...fields } = want.attachments[n]!;
      expect(a).toMatchObject(fields);
      expect(a.url.startsWith(remote.origin)).toBe(true);
      expect(a.src).toMatch(/^\/media\/cache\//);
    });
    expect(note.emojis.map((e) => e.shortcode)).toEqual(want.emojis);
    expect(note.author.emojis.map((e) => e.shortcode)).toEqual(want.authorEmojis ?? []);
  });

  it("the window gets each file from the instance's cache, typed by its bytes; Range works", async () => {
    const note = (await outpost.rpc('timeline', {})).entries.find((e) => e.note.author.uri === remote.actorId)!.note;
    for (const [n, a] of note.attachments.entries()) {
      const res = await admin(a.src!);
      expect(res.status, a.url).toBe(200);
      expect(res.headers.get('content-type')).toBe(want.attachments[n]!.served);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(served.get(a.url));
    }
    const first = note.attachments[0]!;
    const part = await admin(first.src!, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-5/${served.get(first.url)!.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(served.get(first.url)!.subarray(2, 6));
    for (const e of [...note.emojis, ...note.author.emojis]) {
      const res = await admin(e.src);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
    if (note.author.iconSrc) expect((await admin(note.author.iconSrc)).status).toBe(200);
  });
});
