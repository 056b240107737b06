// What the window's media paths answer (`/media/local/<file>`, `/media/cache/…`), for the
// admin port and the Electron window's media scheme alike; and the public port's /media/<file>.
import type { MediaConfig } from '../config';
import { fileReply, NOT_FOUND_REPLY, type FileReply } from '../http/fileReply';
import type { MediaStore } from './mediaStore';
import type { Uploads } from './uploads';
import { MediaUnavailable, type MediaCache } from './mediaCache';

export interface MediaFiles {
  profile: MediaStore;
  uploads: Uploads;
  cache: MediaCache;
  config: Pick<MediaConfig, 'uiMaxAgeSeconds'>;
}

/** A file name of ours: no paths, no dots but the extension's. */
const LOCAL_FILE = /^[a-z0-9-]{1,60}\.[a-z0-9]{2,4}$/;

/** The window's path for one of our files. */
export const localPath = (file: string) => `/media/local/${file}`;

/** An upload or a profile picture by file name, as a reply (Range honoured). */
export function localFileReply(m: Pick<MediaFiles, 'profile' | 'uploads'>, name: string, range: string | undefined, cacheControl: string): FileReply {
  if (!LOCAL_FILE.test(name)) return NOT_FOUND_REPLY;
  const found = m.profile.file(name) ?? m.uploads.file(name);
  return found ? fileReply(found.path, found.mediaType, range, { 'cache-control': cacheControl }) : NOT_FOUND_REPLY;
}

/**
 * The answer to a window's media path. Only this instance's own pages may embed it
 * (Cross-Origin-Resource-Policy), and remote media that cannot be had answers 502 with why.
 */
export async function answerMediaRequest(m: MediaFiles, path: string, range: string | undefined): Promise<FileReply> {
  const own = { 'cross-origin-resource-policy': 'same-origin', 'referrer-policy': 'no-referrer' };
  const cacheControl = `private, max-age=${m.config.uiMaxAgeSeconds}`;
  const withOwn = (r: FileReply): FileReply => ({ ...r, headers: { ...r.headers, ...own } });
  if (path.startsWith('/media/local/')) return withOwn(localFileReply(m, path.slice('/media/local/'.length), range, cacheControl));
  const named = m.cache.parsePath(path);
  if (!named) return withOwn(NOT_FOUND_REPLY);
  try {
    const file = await m.cache.get(named.url, named.kind);
    return withOwn(fileReply(file.path, file.mediaType, range, { 'cache-control': cacheControl }));
  } catch (err) {
    if (!(err instanceof MediaUnavailable)) throw err;
    return {
      status: 502,
      headers: { ...own, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-outpost-media': 'unavailable' },
    };
  }
}
