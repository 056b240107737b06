// Uploaded images, made safe to publish: decoded and encoded again with sharp (libvips),
// which writes no metadata (EXIF with GPS, XMP, IPTC, comments) unless asked to; turned
// upright first (EXIF orientation is applied to the pixels, since the tag goes); scaled down
// to a sane long side; with a blurhash and the final dimensions.
import sharp from 'sharp';
import { encode } from 'blurhash';
import type { MediaConfig } from '../config';

export interface ProcessedImage {
  data: Buffer;
  mediaType: string;
  width: number;
  height: number;
  blurhash: string;
}

/** A picture that does not decode (truncated, corrupt, a bomb). */
export class ImageDecodeError extends Error {}

type Limits = Pick<MediaConfig, 'imageMaxSidePx' | 'imageMaxInputPixels' | 'imageQuality'>;

/** Re-encodes an image of a type `sniffMediaType` named (JPEG, PNG, WebP, GIF, AVIF) in the same format. */
export async function processImage(input: Buffer, mediaType: string, limits: Limits): Promise<ProcessedImage> {
  const animated = mediaType === 'image/gif' || mediaType === 'image/webp';
  try {
    let pipeline = sharp(input, { animated, limitInputPixels: limits.imageMaxInputPixels, failOn: 'error' })
      .rotate()
      .resize({ width: limits.imageMaxSidePx, height: limits.imageMaxSidePx, fit: 'inside', withoutEnlargement: true });
    const quality = limits.imageQuality;
    switch (mediaType) {
      case 'image/jpeg': pipeline = pipeline.jpeg({ quality, mozjpeg: true }); break;
      case 'image/png': pipeline = pipeline.png(); break;
      case 'image/webp': pipeline = pipeline.webp({ quality }); break;
      case 'image/gif': pipeline = pipeline.gif(); break;
      case 'image/avif': pipeline = pipeline.avif({ quality }); break;
      default: throw new ImageDecodeError(`${mediaType} is not an image type we re-encode`);
    }
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    // Animated images report the height of all frames together; a frame's is pageHeight.
    const height = info.pageHeight ?? info.height;
    return { data, mediaType, width: info.width, height, blurhash: await blurhashOf(data) };
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError(err instanceof Error ? err.message : String(err));
  }
}

/** A blurhash (4×3 components, as Mastodon) of an image's first frame, from a 32-px thumbnail. */
export async function blurhashOf(image: Buffer): Promise<string> {
  const { data, info } = await sharp(image).resize(32, 32, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return encode(new Uint8ClampedArray(data), info.width, info.height, 4, 3);
}
