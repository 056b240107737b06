// Remote media — pictures, video, sound, avatars, custom emoji — fetched by the instance,
// never by the window: the window asks the admin origin for a path naming the URL, and the
// instance fetches it once through the SSRF-guarded client (a byte cap and one deadline per
// fetch, every redirect re-checked), keeps it only if its bytes are a picture, video or sound
// we show (SVG and HTML never are), and serves it from DATA/media-cache after that. The
// cache has a total cap: the least recently used files go first.
//
// Paths are capabilities: `/media/cache/<kind>/<mac>/<url in base64url>`, the MAC keyed by a
// secret of this instance, so only URLs the instance itself handed to its window are ever
// fetched (a page that guesses paths on the loopback port can neither probe what was seen
// nor turn the instance into a fetcher). Fetches are unsigned: media files are public on
// every server we know (Mastodon's authorized fetch covers AS2 documents, not /system/ media).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/database';
import type { MediaConfig } from '../config';
import type { Logger } from '../logger';
import { FetchError, type HttpClient } from '../federation/httpClient';
import { kindOf, sniffMediaType, SNIFF_BYTES } from './sniff';

/** What a cached URL may turn out to be: `i` pictures only (images, avatars, emoji); `av` video, sound or a picture. */
export type CacheKind = 'i' | 'av';

export const CACHE_PATH_PREFIX = '/media/cache/';

export class MediaUnavailable extends Error {
  constructor(message: string, readonly permanent = false) {
    super(message);
    this.name = 'MediaUnavailable';
  }
}

interface CacheRow { url: string; file: string; media_type: string; bytes: number; fetched_at: number; used_at: number }

export class MediaCache {
  readonly dir: string;
  private readonly secret: Buffer;
  private readonly stmts;
  private readonly inflight = new Map<string, Promise<{ path: string; mediaType: string }>>();
  private readonly failures = new Map<string, { until: number; reason: string }>();

  constructor(
    db: Db,
    dataDir: string,
    private readonly http: HttpClient,
    private readonly config: MediaConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(dataDir, 'media-cache');
    this.secret = loadSecret(db);
    this.stmts = {
      get: db.prepare<[string], CacheRow>('SELECT * FROM media_cache WHERE url = ?'),
      insert: db.prepare(`INSERT INTO media_cache (url, file, media_type, bytes, fetched_at, used_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (url) DO UPDATE SET file = excluded.file, media_type = excluded.media_type, bytes = excluded.bytes,
          fetched_at = excluded.fetched_at, used_at = excluded.used_at`),
      touch: db.prepare<[number, string]>('UPDATE media_cache SET used_at = ? WHERE url = ?'),
      remove: db.prepare<[string]>('DELETE FROM media_cache WHERE url = ?'),
      oldest: db.prepare<[string], CacheRow>('SELECT * FROM media_cache WHERE url != ? ORDER BY used_at LIMIT 64'),
      stats: db.prepare<[], { files: number; bytes: number | null }>('SELECT count(*) AS files, sum(bytes) AS bytes FROM media_cache'),
      all: db.prepare<[], CacheRow>('SELECT * FROM media_cache'),
      clear: db.prepare('DELETE FROM media_cache'),
    };
  }

  /** The window's path for a remote URL, or null when it is not an http(s) URL. */
  pathFor(url: string | null | undefined, kind: CacheKind): string | null {
    if (!url || !/^https?:\/\//i.test(url) || url.length > 4096) return null;
    return `${CACHE_PATH_PREFIX}${kind}/${this.mac(kind, url)}/${Buffer.from(url).toString('base64url')}`;
  }

  /** The URL and kind a path names, if this instance made it; else null. */
  parsePath(path: string): { url: string; kind: CacheKind } | null {
    const m = /^\/media\/cache\/(i|av)\/([A-Za-z0-9_-]{22})\/([A-Za-z0-9_-]{1,6000})$/.exec(path);
    if (!m) return null;
    const kind = m[1] as CacheKind;
    const url = Buffer.from(m[3]!, 'base64url').toString('utf8');
    const expected = Buffer.from(this.mac(kind, url));
    const given = Buffer.from(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given) ? { url, kind } : null;
  }

  /** The cached file for a URL, fetching it first if needed; throws MediaUnavailable. */
  async get(url: string, kind: CacheKind): Promise<{ path: string; mediaType: string }> {
    const row = this.stmts.get.get(url);
    if (row) {
      const path = join(this.dir, row.file);
      if (fileExists(path)) {
        if (!fits(kind, row.media_type)) throw new MediaUnavailable(`${url} is ${row.media_type}, not a picture`, true);
        if (this.now() - row.used_at >= this.config.cacheTouchIntervalMs) this.stmts.touch.run(this.now(), url);
        return { path, mediaType: row.media_type };
      }
      this.stmts.remove.run(url);
    }
    const failed = this.failures.get(url);
    if (failed && failed.until > this.now()) throw new MediaUnavailable(failed.reason);
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.fetch(url, kind).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    return pending;
  }

  stats(): { files: number; bytes: number; capBytes: number } {
    const r = this.stmts.stats.get()!;
    return { files: r.files, bytes: r.bytes ?? 0, capBytes: this.config.cacheMaxTotalBytes };
  }

  /** Empties the cache (files are fetched again when next shown). */
  clear(): void {
    const rows = this.stmts.all.all();
    this.stmts.clear.run();
    for (const r of rows) rmSync(join(this.dir, r.file), { force: true });
    this.failures.clear();
    // Leftovers of fetches cut off by a crash.
    for (const name of safeList(this.dir)) if (name.startsWith('tmp-')) rmSync(join(this.dir, name), { force: true });
  }

  private async fetch(url: string, kind: CacheKind): Promise<{ path: string; mediaType: string }> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `tmp-${randomBytes(8).toString('hex')}`);
    const maxBytes = kind === 'i' ? this.config.cacheImageMaxBytes : this.config.cacheVideoMaxBytes;
    try {
      await this.http.download(url, {
        dest: tmp, maxBytes, maxRedirects: this.config.cacheMaxRedirects,
        timeoutMs: kind === 'i' ? this.config.cacheImageTimeoutMs : this.config.cacheVideoTimeoutMs,
        headers: { accept: kind === 'i' ? 'image/*' : 'video/*, audio/*, image/*' },
      });
      const mediaType = sniffMediaType(readHead(tmp));
      if (!mediaType || !fits(kind, mediaType)) {
        throw new MediaUnavailable(`${url} is not a ${kind === 'i' ? 'picture' : 'video, sound or picture'} we show`, true);
      }
      const file = createHash('sha256').update(url).digest('hex');
      renameSync(tmp, join(this.dir, file));
      const bytes = statSync(join(this.dir, file)).size;
      this.stmts.insert.run(url, file, mediaType, bytes, this.now(), this.now());
      this.evict(url);
      return { path: join(this.dir, file), mediaType };
    } catch (err) {
      rmSync(tmp, { force: true });
      const reason = err instanceof MediaUnavailable || err instanceof FetchError ? err.message : String(err);
      this.log.info(`media cache: ${url} unavailable: ${reason}`);
      this.rememberFailure(url, reason);
      throw err instanceof MediaUnavailable ? err : new MediaUnavailable(reason);
    }
  }

  /** Least recently used files go until the total is under the cap (never the one just fetched). */
  private evict(keep: string): void {
    let total = this.stats().bytes;
    while (total > this.config.cacheMaxTotalBytes) {
      const victims = this.stmts.oldest.all(keep);
      if (victims.length === 0) return;
      for (const v of victims) {
        if (total <= this.config.cacheMaxTotalBytes) return;
        this.stmts.remove.run(v.url);
        rmSync(join(this.dir, v.file), { force: true });
        total -= v.bytes;
      }
    }
  }

  private rememberFailure(url: string, reason: string): void {
    if (this.failures.size >= this.config.cacheFailuresTracked) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(url, { until: this.now() + this.config.cacheFailureTtlMs, reason });
  }

  private mac(kind: CacheKind, url: string): string {
    return createHmac('sha256', this.secret).update(`${kind}\n${url}`).digest('base64url').slice(0, 22);
  }
}

function fits(kind: CacheKind, mediaType: string): boolean {
  const k = kindOf(mediaType);
  return kind === 'i' ? k === 'image' : k === 'image' || k === 'video' || k === 'audio';
}

function loadSecret(db: Db): Buffer {
  const key = 'media_cache_secret';
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
  if (row) return Buffer.from(row.value, 'hex');
  const secret = randomBytes(32);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, secret.toString('hex'));
  return Buffer.from(db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)!.value, 'hex');
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function fileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
