// Media a fake remote server serves for its fixtures: for every attachment, custom emoji
// and avatar URL in a document, real bytes of the declared type (pictures made with sharp;
// a short MP4 and MP3 from test/fixtures/media).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { FakeRemote } from './fakeRemote';

const MEDIA = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

/** Bytes of a file of `mediaType` (a picture `width`×`height` in one colour). */
export async function mediaBytes(mediaType: string, width = 64, height = 48): Promise<Buffer> {
  const picture = () => sharp({ create: { width, height, channels: 3, background: { r: 40 + (width % 200), g: 140, b: 190 } } });
  switch (mediaType) {
    case 'image/jpeg': return picture().jpeg().toBuffer();
    case 'image/png': return picture().png().toBuffer();
    case 'image/webp': return picture().webp().toBuffer();
    case 'image/gif': return picture().gif().toBuffer();
    case 'video/mp4': return readFileSync(`${MEDIA}sample.mp4`);
    case 'audio/mpeg': return readFileSync(`${MEDIA}sample.mp3`);
    default: throw new Error(`no sample for ${mediaType}`);
  }
}

/** Every media URL a document names (attachments, emoji icons, avatar, header), with its type. */
export function mediaUrlsOf(doc: any): { url: string; mediaType: string }[] {
  const found: { url: string; mediaType: string }[] = [];
  const add = (url: unknown, type: unknown) => {
    if (typeof url === 'string') found.push({ url, mediaType: typeof type === 'string' ? type : guess(url) });
  };
  const walk = (o: any) => {
    for (const a of o?.attachment ?? []) {
      if (Array.isArray(a.url)) for (const l of a.url) add(l.href, l.mediaType ?? a.mediaType);
      else add(a.url, a.mediaType);
    }
    for (const t of o?.tag ?? []) if (t.type === 'Emoji') add(t.icon?.url, t.icon?.mediaType);
    if (o?.icon) add(o.icon.url, o.icon.mediaType);
    if (o?.image) add(o.image.url, o.image.mediaType);
  };
  walk(doc);
  walk(doc?.object);
  return found;
}

function guess(url: string): string {
  const ext = url.split('.').pop();
  return ({ png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', mp3: 'audio/mpeg' } as Record<string, string>)[ext ?? ''] ?? 'image/png';
}

/** Makes `remote` serve real bytes at every media URL of `doc` on its own origin; returns them by URL. */
export async function serveMediaOf(remote: FakeRemote, doc: any): Promise<Map<string, Buffer>> {
  const served = new Map<string, Buffer>();
  for (const { url, mediaType } of mediaUrlsOf(doc)) {
    if (!url.startsWith(remote.origin)) continue;
    const bytes = await mediaBytes(mediaType, 640, 480);
    remote.files.set(new URL(url).pathname, { status: 200, type: mediaType, body: bytes });
    served.set(url, bytes);
  }
  return served;
}
