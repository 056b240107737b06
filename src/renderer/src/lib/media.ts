// Where the window loads media from: only the instance (its uploads and its remote media
// cache), as paths on the admin origin — or, in Electron, on the media scheme. Anything
// else (a remote URL, a data: URL) is never loaded.
import { MEDIA_SCHEME } from '../../../shared/constants';

const MEDIA_PATH = /^\/media\/(?:local|cache)\/[A-Za-z0-9_.\-/]{1,8000}$/;

/** The URL for a media path from a DTO, or undefined when it is not one. */
export function mediaSrc(path: string | null | undefined): string | undefined {
  if (!path || !MEDIA_PATH.test(path) || path.includes('..')) return undefined;
  return typeof window !== 'undefined' && window.outpost ? `${MEDIA_SCHEME}://app${path}` : path;
}

/** A file's bytes as base64 (what uploadMedia takes). */
export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(new Error(`Could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
