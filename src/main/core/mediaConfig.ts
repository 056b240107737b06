// The media side's tunables — uploads (sizes, re-encoding, per-post counts) and the remote
// media cache (caps, LRU, timeouts, redirects) — kept beside config.ts (which re-exports
// them) so that file stays one readable page. Units in the names, defaults beside them, as there.
import { MEDIA_DESCRIPTION_MAX_CHARS, MEDIA_UPLOAD_MAX_BYTES } from '../../shared/dto';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;
const MiB = 1024 * 1024;

export interface MediaConfig {
  /** Largest image upload, before re-encoding. Default 16 MiB. */
  uploadImageMaxBytes: number;
  /** Largest video or audio upload (stored as sent). Default 40 MiB (the admin API's cap). */
  uploadVideoMaxBytes: number;
  /** Uploaded images larger than this on their long side are scaled down to it. Default 4096 px. */
  imageMaxSidePx: number;
  /** Images with more pixels than this are refused before decoding (decompression bombs). Default 100 Mpx. */
  imageMaxInputPixels: number;
  /** Quality of re-encoded JPEG and WebP images (1–100). Default 85. */
  imageQuality: number;
  /** Images one post may carry. Default 4 (as Mastodon). */
  imagesPerNote: number;
  /** Videos or audio files one post may carry (and then no images). Default 1. */
  videosPerNote: number;
  /** Alt text of an attachment, in characters (longer is cut). Default 1500 (as Mastodon). */
  descriptionMaxChars: number;
  /** Uploads never attached to a post are deleted after this. Default 24 h. */
  unattachedTtlMs: number;
  /** Remote images, avatars and emoji larger than this are not cached (nor shown). Default 16 MiB. */
  cacheImageMaxBytes: number;
  /** Remote video and audio larger than this are not cached. Default 64 MiB. */
  cacheVideoMaxBytes: number;
  /** The remote media cache's total size; the least recently used files go beyond it. Default 1 GiB. */
  cacheMaxTotalBytes: number;
  /** One remote image fetch, redirects included, from connect to last byte. Default 30 s. */
  cacheImageTimeoutMs: number;
  /** One remote video or audio fetch, redirects included. Default 120 s. */
  cacheVideoTimeoutMs: number;
  /** Redirects followed by one media fetch, each re-checked by the SSRF guard. Default 3. */
  cacheMaxRedirects: number;
  /** A URL that could not be fetched is not tried again for this long. Default 10 min. */
  cacheFailureTtlMs: number;
  /** Failed URLs remembered at once (the oldest are forgotten). Default 10 000. */
  cacheFailuresTracked: number;
  /** A cached file's last use is written at most this often (LRU order). Default 60 s. */
  cacheTouchIntervalMs: number;
  /** Remote attachments kept per post. Default 16. */
  remoteAttachmentsMax: number;
  /** Custom emoji kept per post or account. Default 64. */
  remoteEmojisMax: number;
  /** Cache-Control max-age of media served to the window from the cache. Default 1 day. */
  uiMaxAgeSeconds: number;
}

export const DEFAULT_MEDIA: MediaConfig = {
  uploadImageMaxBytes: 16 * MiB,
  uploadVideoMaxBytes: MEDIA_UPLOAD_MAX_BYTES,
  imageMaxSidePx: 4096,
  imageMaxInputPixels: 100_000_000,
  imageQuality: 85,
  imagesPerNote: 4,
  videosPerNote: 1,
  descriptionMaxChars: MEDIA_DESCRIPTION_MAX_CHARS,
  unattachedTtlMs: DAY_MS,
  cacheImageMaxBytes: 16 * MiB,
  cacheVideoMaxBytes: 64 * MiB,
  cacheMaxTotalBytes: 1024 * MiB,
  cacheImageTimeoutMs: 30 * SECOND_MS,
  cacheVideoTimeoutMs: 120 * SECOND_MS,
  cacheMaxRedirects: 3,
  cacheFailureTtlMs: 10 * MINUTE_MS,
  cacheFailuresTracked: 10_000,
  cacheTouchIntervalMs: MINUTE_MS,
  remoteAttachmentsMax: 16,
  remoteEmojisMax: 64,
  uiMaxAgeSeconds: 24 * 3600,
};
