// Serving a stored file over HTTP with a single byte range (video and audio seek with
// Range requests), for the public port, the admin port and the Electron window alike: the
// decision is a plain value, and each transport writes it its own way.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export interface FileReply {
  status: 200 | 206 | 404 | 416 | 502;
  headers: Record<string, string>;
  /** The file and the inclusive byte range to send (none for 404/416 or an empty file). */
  body?: { path: string; start: number; end: number };
}

/** Headers every media answer carries: the bytes are what the type says, and never a page. */
export const MEDIA_SAFETY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

export const NOT_FOUND_REPLY: FileReply = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } };

/**
 * The answer for a GET of `path` with an optional Range header: 200 with the whole file,
 * 206 with one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), 416 for a range outside the
 * file; several ranges at once are answered with the whole file (allowed by RFC 9110).
 */
export function fileReply(path: string, contentType: string, range: string | undefined, headers: Record<string, string>): FileReply {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return NOT_FOUND_REPLY;
    size = st.size;
  } catch {
    return NOT_FOUND_REPLY;
  }
  const base = { ...MEDIA_SAFETY_HEADERS, ...headers, 'content-type': contentType, 'accept-ranges': 'bytes' };
  const parsed = range ? parseRange(range, size) : undefined;
  if (parsed === 'unsatisfiable') return { status: 416, headers: { ...base, 'content-range': `bytes */${size}`, 'content-length': '0' } };
  if (!parsed) return { status: 200, headers: { ...base, 'content-length': String(size) }, ...(size > 0 ? { body: { path, start: 0, end: size - 1 } } : {}) };
  const { start, end } = parsed;
  return {
    status: 206,
    headers: { ...base, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` },
    body: { path, start, end },
  };
}

/** One range of a file of `size` bytes; undefined when the header is not a single byte range. */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The body of a reply as a stream (none for HEAD or a reply without one). */
export function replyStream(reply: FileReply): Readable | undefined {
  return reply.body ? createReadStream(reply.body.path, { start: reply.body.start, end: reply.body.end }) : undefined;
}

/** Writes a reply to a Node HTTP response. */
export function sendFileReply(req: IncomingMessage, res: ServerResponse, reply: FileReply): void {
  res.writeHead(reply.status, reply.headers);
  const stream = req.method === 'HEAD' ? undefined : replyStream(reply);
  if (!stream) return void res.end(reply.status === 404 ? 'not found' : undefined);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
