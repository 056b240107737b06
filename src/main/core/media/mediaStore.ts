// The profile's pictures — avatar and header — stored in the data folder's media/ and served
// by the public server at /media/<file>. Like every upload they are re-encoded first, so no
// EXIF (GPS) leaves with them.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/database';
import { DomainError } from '../errors';
import type { AvatarMediaType } from '../../../shared/dto';
import type { MediaConfig } from '../config';
import { EXTENSIONS, sniffMediaType } from './sniff';
import { ImageDecodeError, processImage } from './imageProcessing';

/** An upload that is not what it claims to be, or too much of it. */
export class MediaError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** Whether the bytes really are an image of the declared type (magic numbers). */
export function looksLike(data: Buffer, type: string): boolean {
  return sniffMediaType(data.subarray(0, 64)) === type;
}

export interface StoredMedia {
  file: string;
  mediaType: AvatarMediaType;
}

export type ProfileImage = 'avatar' | 'header';

/** The media folder of a data folder: our uploads and profile pictures. */
export const mediaDir = (dataDir: string) => join(dataDir, 'media');

export class MediaStore {
  readonly dir: string;
  constructor(private readonly db: Db, dataDir: string, private readonly config: MediaConfig) {
    this.dir = mediaDir(dataDir);
  }

  avatar(): StoredMedia | null {
    return this.image('avatar');
  }

  header(): StoredMedia | null {
    return this.image('header');
  }

  image(which: ProfileImage): StoredMedia | null {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(which);
    return row ? (JSON.parse(row.value) as StoredMedia) : null;
  }

  saveAvatar(data: Buffer, mediaType: AvatarMediaType): Promise<StoredMedia> {
    return this.save('avatar', data, mediaType);
  }

  /** Checks, re-encodes (metadata stripped) and stores a profile picture; the previous one goes. */
  async save(which: ProfileImage, data: Buffer, mediaType: AvatarMediaType): Promise<StoredMedia> {
    if (data.length === 0) throw new MediaError('the image is empty');
    if (!looksLike(data, mediaType)) throw new MediaError(`the data is not a valid ${EXTENSIONS[mediaType]!.toUpperCase()} image`);
    let clean: Buffer;
    try {
      clean = (await processImage(data, mediaType, this.config)).data;
    } catch (err) {
      if (err instanceof ImageDecodeError) throw new MediaError(`the image could not be read: ${err.message}`);
      throw err;
    }
    const file = `${which}-${createHash('sha256').update(clean).digest('hex').slice(0, 16)}.${EXTENSIONS[mediaType]}`;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, file), clean);
    const previous = this.image(which);
    const stored = { file, mediaType };
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(which, JSON.stringify(stored));
    if (previous && previous.file !== file) rmSync(join(this.dir, previous.file), { force: true });
    return stored;
  }

  removeAvatar(): void {
    this.remove('avatar');
  }

  remove(which: ProfileImage): void {
    const previous = this.image(which);
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(which);
    if (previous) rmSync(join(this.dir, previous.file), { force: true });
  }

  /** A profile picture's path and type by file name, or null (names are only ever ours: no paths). */
  file(name: string): { path: string; mediaType: string } | null {
    const found = [this.avatar(), this.header()].find((m) => m?.file === name);
    return found ? { path: join(this.dir, found.file), mediaType: found.mediaType } : null;
  }
}
