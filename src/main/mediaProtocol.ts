// The Electron window's media scheme (`outpost-media://app/media/…`): its page is a file:
// URL with no admin port, so the same answers the admin port gives at /media/… come through
// a protocol handler (registered in index.ts). Plain web-standard types, so it runs (and is
// tested) under Node too.
import { Readable } from 'node:stream';
import { MEDIA_SCHEME } from '../shared/constants';
import { replyStream, type FileReply } from './core/http/fileReply';

export const MEDIA_SCHEME_HOST = 'app';

/** The web Response for a request on the media scheme. */
export async function mediaSchemeResponse(
  answer: (path: string, range: string | undefined) => Promise<FileReply>,
  requestUrl: string,
  method: string,
  range: string | undefined,
): Promise<Response> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('bad request', { status: 400 });
  }
  if (url.protocol !== `${MEDIA_SCHEME}:` || url.host !== MEDIA_SCHEME_HOST || !url.pathname.startsWith('/media/')) {
    return new Response('not found', { status: 404 });
  }
  if (method !== 'GET' && method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const reply = await answer(url.pathname, range);
  // The page is a file: URL (an opaque origin): same-origin resource policy would block it.
  const { 'cross-origin-resource-policy': _corp, ...headers } = reply.headers;
  const stream = method === 'HEAD' ? undefined : replyStream(reply);
  return new Response(stream ? (Readable.toWeb(stream) as ReadableStream<Uint8Array>) : null, { status: reply.status, headers });
}
