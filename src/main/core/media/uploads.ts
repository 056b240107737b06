// The user's uploads for posts: checked by their bytes, images re-encoded (metadata
// stripped, scaled down, blurhash and dimensions), stored in media/ under a name of ours,
// attached to one post, and deleted with it. Served on the public port at /media/<file>.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/database';
import type { MediaConfig } from '../config';
import type { AttachmentKind } from '../../../shared/dto';
import { newId } from '../ids';
import { EXTENSIONS, kindOf, sniffMediaType } from './sniff';
import { ImageDecodeError, processImage } from './imageProcessing';
import { MediaError, mediaDir } from './mediaStore';

export interface UploadRecord {
  id: string;
  file: string;
  mediaType: string;
  kind: AttachmentKind;
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  bytes: number;
  noteId: string | null;
  createdAt: number;
}

interface UploadRow {
  id: string; file: string; media_type: string; kind: AttachmentKind; description: string | null; blurhash: string | null;
  width: number | null; height: number | null; bytes: number; note_id: string | null; position: number; created_at: number;
}

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

export class Uploads {
  readonly dir: string;
  private readonly stmts;

  constructor(private readonly db: Db, dataDir: string, private readonly config: MediaConfig, private readonly now: () => number = Date.now) {
    this.dir = mediaDir(dataDir);
    this.stmts = {
      insert: db.prepare(`INSERT INTO media (id, file, media_type, kind, description, blurhash, width, height, bytes, note_id, position, created_at)
          VALUES (@id, @file, @mediaType, @kind, @description, @blurhash, @width, @height, @bytes, NULL, 0, @createdAt)`),
      byId: db.prepare<[string], UploadRow>('SELECT * FROM media WHERE id = ?'),
      byFile: db.prepare<[string], UploadRow>('SELECT * FROM media WHERE file = ?'),
      byNote: db.prepare<[string], UploadRow>('SELECT * FROM media WHERE note_id = ? ORDER BY position'),
      attach: db.prepare<[string, number, string]>('UPDATE media SET note_id = ?, position = ? WHERE id = ? AND note_id IS NULL'),
      describe: db.prepare<[string | null, string]>('UPDATE media SET description = ? WHERE id = ? AND note_id IS NULL'),
      deleteByNote: db.prepare<[string]>('DELETE FROM media WHERE note_id = ?'),
      stale: db.prepare<[number], UploadRow>('SELECT * FROM media WHERE note_id IS NULL AND created_at < ?'),
      deleteOne: db.prepare<[string]>('DELETE FROM media WHERE id = ?'),
      stats: db.prepare<[], { files: number; bytes: number | null }>('SELECT count(*) AS files, sum(bytes) AS bytes FROM media'),
    };
  }

  /** Checks and stores one upload; `claimed` is the type the caller says it is. */
  async save(data: Buffer, claimed: string, description?: string | null): Promise<UploadRecord> {
    if (data.length === 0) throw new MediaError('the file is empty');
    const sniffed = sniffMediaType(data.subarray(0, 64));
    const claimedKind = kindOf(claimed);
    if (!sniffed) throw new MediaError(`the data is not a picture, video or sound we take (it was sent as ${claimed})`);
    const kind = kindOf(sniffed);
    if (claimedKind === 'image' ? sniffed !== claimed : kind !== 'video' && kind !== 'audio') {
      throw new MediaError(`the data is not a valid ${claimed} file (its bytes are ${sniffed})`);
    }
    const cap = kind === 'image' ? this.config.uploadImageMaxBytes : this.config.uploadVideoMaxBytes;
    if (data.length > cap) throw new MediaError(`the file is ${size(data.length)}; ${kind === 'image' ? 'images' : 'videos and sounds'} may be at most ${size(cap)}`);

    let stored = { data, mediaType: sniffed, width: null as number | null, height: null as number | null, blurhash: null as string | null };
    if (kind === 'image') {
      try {
        stored = await processImage(data, sniffed, this.config);
      } catch (err) {
        if (err instanceof ImageDecodeError) throw new MediaError(`the image could not be read: ${err.message}`);
        throw err;
      }
    }
    const id = newId(this.now());
    const file = `${id}.${EXTENSIONS[stored.mediaType]}`;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, file), stored.data);
    const record: UploadRecord = {
      id, file, mediaType: stored.mediaType, kind, description: cleanDescription(description, this.config.descriptionMaxChars),
      blurhash: stored.blurhash, width: stored.width, height: stored.height, bytes: stored.data.length, noteId: null, createdAt: this.now(),
    };
    this.stmts.insert.run(record);
    return record;
  }

  byId(id: string): UploadRecord | undefined {
    const row = this.stmts.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Sets the alt text of an upload not posted yet (a posted one is part of its post). */
  describe(id: string, description: string): UploadRecord {
    const r = this.byId(id);
    if (!r) throw new MediaError(`no upload ${id}`);
    if (r.noteId) throw new MediaError(`upload ${id} is already posted`);
    this.stmts.describe.run(cleanDescription(description, this.config.descriptionMaxChars), id);
    return this.byId(id)!;
  }

  forNote(noteId: string): UploadRecord[] {
    return this.stmts.byNote.all(noteId).map(fromRow);
  }

  /** The uploads a new post names, in order, once checked: they exist, are free, and fit one post. */
  forCompose(ids: string[]): UploadRecord[] {
    if (new Set(ids).size !== ids.length) throw new MediaError('mediaIds names one upload twice');
    const records = ids.map((id) => {
      const r = this.byId(id);
      if (!r) throw new MediaError(`mediaIds: no upload ${id} (uploads not posted within a day are deleted)`);
      if (r.noteId) throw new MediaError(`mediaIds: upload ${id} belongs to another post`);
      return r;
    });
    const moving = records.filter((r) => r.kind === 'video' || r.kind === 'audio').length;
    if (moving > 0 && (moving > this.config.videosPerNote || records.length > moving)) {
      throw new MediaError(`a post carries at most ${this.config.videosPerNote} video or sound, and then no pictures`);
    }
    if (records.length > this.config.imagesPerNote) throw new MediaError(`a post carries at most ${this.config.imagesPerNote} pictures`);
    return records;
  }

  /** Attaches checked uploads to a note (inside the compose transaction). */
  attach(records: UploadRecord[], noteId: string): void {
    records.forEach((r, position) => {
      if (this.stmts.attach.run(noteId, position, r.id).changes !== 1) throw new MediaError(`upload ${r.id} was taken meanwhile`);
    });
  }

  /** Deletes the uploads of a deleted note: rows, then files. */
  deleteForNote(noteId: string): void {
    const records = this.forNote(noteId);
    this.stmts.deleteByNote.run(noteId);
    for (const r of records) rmSync(join(this.dir, r.file), { force: true });
  }

  /** Deletes uploads never posted within unattachedTtlMs; returns how many went. */
  pruneUnattached(): number {
    const stale = this.stmts.stale.all(this.now() - this.config.unattachedTtlMs);
    for (const r of stale) {
      this.stmts.deleteOne.run(r.id);
      rmSync(join(this.dir, r.file), { force: true });
    }
    return stale.length;
  }

  /** An upload's path and type by file name, or null. */
  file(name: string): { path: string; mediaType: string } | null {
    const row = this.stmts.byFile.get(name);
    return row ? { path: join(this.dir, row.file), mediaType: row.media_type } : null;
  }

  stats(): { files: number; bytes: number } {
    const r = this.stmts.stats.get()!;
    return { files: r.files, bytes: r.bytes ?? 0 };
  }

  /** Whether a file is on disk (tests, storage views). */
  exists(name: string): boolean {
    try {
      return statSync(join(this.dir, name)).isFile();
    } catch {
      return false;
    }
  }
}

/** Alt text as stored: trimmed, at most `max` characters, null when empty. */
export function cleanDescription(text: string | null | undefined, max: number): string | null {
  const t = (text ?? '').trim();
  return t ? [...t].slice(0, max).join('') : null;
}

function fromRow(r: UploadRow): UploadRecord {
  return {
    id: r.id, file: r.file, mediaType: r.media_type, kind: r.kind, description: r.description, blurhash: r.blurhash,
    width: r.width, height: r.height, bytes: r.bytes, noteId: r.note_id, createdAt: r.created_at,
  };
}
