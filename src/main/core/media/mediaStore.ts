// The avatar: stored in the data folder, served by the public server at /media/<file>.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/database';
import { DomainError } from '../errors';
import type { AvatarMediaType } from '../../../shared/dto';

const EXT: Record<AvatarMediaType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };
const KEY = 'avatar';

/** An upload that is not what it claims to be. */
export class MediaError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** Whether the bytes really are an image of the declared type (magic numbers). */
export function looksLike(data: Buffer, type: AvatarMediaType): boolean {
  switch (type) {
    case 'image/png': return data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg': return data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
    case 'image/gif': return data.subarray(0, 4).toString('latin1') === 'GIF8';
    case 'image/webp': return data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP';
  }
}

export interface StoredMedia {
  file: string;
  mediaType: AvatarMediaType;
}

export class MediaStore {
  private readonly dir: string;
  constructor(private readonly db: Db, dataDir: string) {
    this.dir = join(dataDir, 'media');
  }

  avatar(): StoredMedia | null {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(KEY);
    return row ? (JSON.parse(row.value) as StoredMedia) : null;
  }

  saveAvatar(data: Buffer, mediaType: AvatarMediaType): StoredMedia {
    if (data.length === 0) throw new MediaError('the image is empty');
    if (!looksLike(data, mediaType)) throw new MediaError(`the data is not a valid ${EXT[mediaType].toUpperCase()} image`);
    const file = `avatar-${createHash('sha256').update(data).digest('hex').slice(0, 16)}.${EXT[mediaType]}`;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, file), data);
    const previous = this.avatar();
    const stored = { file, mediaType };
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(stored));
    if (previous && previous.file !== file) rmSync(join(this.dir, previous.file), { force: true });
    return stored;
  }

  removeAvatar(): void {
    const previous = this.avatar();
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(KEY);
    if (previous) rmSync(join(this.dir, previous.file), { force: true });
  }

  /** The bytes of a stored file by name, or null (names are only ever ours: no paths). */
  read(file: string): { data: Buffer; mediaType: AvatarMediaType } | null {
    const avatar = this.avatar();
    if (!avatar || avatar.file !== file) return null;
    try {
      return { data: readFileSync(join(this.dir, file)), mediaType: avatar.mediaType };
    } catch {
      return null;
    }
  }
}
