// What a file really is, from its first bytes (magic numbers), never from what its sender
// claims: an HTML page sent as image/png is not an image, and SVG (a document that can
// carry scripts) is never one of ours.
import type { AttachmentKind } from '../../../shared/dto';

/** Bytes enough to tell every type below apart. */
export const SNIFF_BYTES = 64;

const ascii = (b: Buffer, at: number, text: string) => b.subarray(at, at + text.length).toString('latin1') === text;

/** The media type the bytes are, or null for anything we neither show nor serve. */
export function sniffMediaType(head: Buffer): string | null {
  if (head.length < 4) return null;
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 4, 'ftyp')) {
    const brand = head.subarray(8, 12).toString('latin1');
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand.startsWith('M4A') || brand.startsWith('M4B')) return 'audio/mp4';
    return 'video/mp4';
  }
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) {
    // Matroska and WebM share the EBML header; the doctype says which (WebM is what browsers play).
    return head.includes(Buffer.from('webm')) ? 'video/webm' : null;
  }
  if (ascii(head, 0, 'OggS')) return 'audio/ogg';
  if (ascii(head, 0, 'fLaC')) return 'audio/flac';
  if (ascii(head, 0, 'ID3') || (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0)) return 'audio/mpeg';
  return null;
}

/** The kind of a media type (image/…, video/…, audio/…). */
export function kindOf(mediaType: string | null | undefined): AttachmentKind {
  const top = mediaType?.split('/')[0]?.toLowerCase();
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'unknown';
}

/** File extensions of the types we store and serve. */
export const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'avif',
  'video/mp4': 'mp4', 'video/webm': 'webm', 'video/quicktime': 'mov',
  'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/wav': 'wav', 'audio/flac': 'flac', 'audio/mp4': 'm4a',
};

/** The media type of one of our file names, by its extension. */
export function typeOfFile(file: string): string | undefined {
  const ext = file.split('.').pop();
  return Object.entries(EXTENSIONS).find(([, e]) => e === ext)?.[0];
}
