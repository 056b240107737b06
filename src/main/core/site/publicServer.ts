// The public (federation) HTTP server: WebFinger, host-meta, NodeInfo, the actor and
// its collections, notes, and the inboxes. This is what the tunnel exposes; the admin
// API never lives here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { NoteRecord, NoteRepository } from '../social/noteRepository';
import type { FollowRepository } from '../social/followRepository';
import type { InboxHandler } from '../inbox/inboxHandler';
import { actorKeyResolver, type RemoteActors } from '../federation/remoteActors';
import type { InstanceLimits, PublicServerConfig } from '../config';
import type { Logger } from '../logger';
import { BodyTooLargeError, readBody, sendHtml, sendJson, sendText } from '../http/httpUtil';
import { AS_CONTENT_TYPE, LD_CONTENT_TYPE, wantsActivityJson } from '../federation/activityStreams';
import { renderActor, renderCollection, renderCollectionPage, renderCreate, renderNoteDocument, renderOrderedItems } from '../social/renderers';
import { verifyRequest } from '../federation/signatures/verifier';
import { isPubliclyVisible } from '../social/addressing';
import { renderNotePage, renderProfilePage, renderTagPage } from './htmlPages';
import type { MediaStore } from '../media/mediaStore';
import type { Uploads } from '../media/uploads';
import { localFileReply } from '../media/mediaRequests';
import { sendFileReply } from '../http/fileReply';
import type { BlockList } from '../social/blockList';

export interface PublicServerDeps {
  identity: LocalIdentity;
  profile: () => LocalProfile;
  notes: NoteRepository;
  follows: FollowRepository;
  inbox: InboxHandler;
  actors: RemoteActors;
  limits: InstanceLimits;
  config: PublicServerConfig;
  log: Logger;
  version: string;
  /** Local users count for NodeInfo's usage (always 1) and the activity counts. */
  stats: () => { notes: number };
  media: MediaStore;
  uploads: Uploads;
  /** Authorized fetch: AS2 notes and collections only to signed GETs (read live from the settings). */
  authorizedFetch: () => boolean;
  /** A signature from a blocked account or domain counts as none. */
  blocks: Pick<BlockList, 'isBlocked'>;
  /** Pinned posts, newest pin first (the featured collection). */
  pinned: () => NoteRecord[];
}

export function createPublicServer(d: PublicServerDeps): Server {
  const server = createServer((req, res) => {
    route(d, req, res).catch((err) => {
      d.log.error(`public ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.headersTimeout = d.config.headersTimeoutMs;
  server.requestTimeout = d.config.requestTimeoutMs;
  server.keepAliveTimeout = d.config.keepAliveTimeoutMs;
  return server;
}

async function route(d: PublicServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { identity } = d;
  const url = new URL(req.url ?? '/', identity.origin);
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const actorPath = `/users/${identity.username}`;

  if (method === 'POST') {
    if (path === '/inbox' || path === `${actorPath}/inbox`) return handleInbox(d, req, res);
    return sendJson(res, 404, { error: 'not found' });
  }
  if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, undefined, { allow: 'GET, HEAD, POST' });

  const asJson = wantsActivityJson(req.headers.accept);
  // Who signed this GET, verified at most once per request, only when someone asks.
  let signer: Promise<string | null> | undefined;
  const signedBy = () => (signer ??= signerOf(d, req));
  // Authorized fetch: what servers read (AS2 notes and collections) needs a signature.
  const refused = async () => asJson && d.authorizedFetch() && (await signedBy()) === null;
  const signatureRequired = () => sendJson(res, 401, { error: 'this server requires signed requests (authorized fetch)' }, undefined, { vary: 'Accept, Signature' });
  const activityJson = (body: unknown, cacheSeconds = d.config.documentMaxAgeSeconds) =>
    sendJson(res, 200, body, req.headers.accept?.includes('ld+json') ? LD_CONTENT_TYPE : AS_CONTENT_TYPE, {
      vary: 'Accept', 'cache-control': `public, max-age=${cacheSeconds}`,
    });

  switch (path) {
    case '/.well-known/webfinger': return webfinger(d, url, res);
    case '/.well-known/host-meta':
      return sendText(res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n` +
        `  <Link rel="lrdd" template="${identity.origin}/.well-known/webfinger?resource={uri}"/>\n</XRD>\n`, 'application/xrd+xml; charset=utf-8');
    case '/.well-known/nodeinfo':
      return sendJson(res, 200, {
        links: ['2.0', '2.1'].map((v) => ({ rel: `http://nodeinfo.diaspora.software/ns/schema/${v}`, href: `${identity.origin}/nodeinfo/${v}` })),
      });
    case '/nodeinfo/2.0': case '/nodeinfo/2.1': return nodeinfo(d, path.endsWith('2.1') ? '2.1' : '2.0', res);
    case '/': case actorPath:
      if (asJson && path === actorPath) return activityJson(renderActor(identity, d.profile(), d.media.avatar(), d.media.header()), d.config.actorMaxAgeSeconds);
      return sendHtml(res, 200, renderProfilePage(identity, d.profile(), d.notes.publicNotesBy(identity.actor, Date.now() + 1, d.config.outboxPageSize)));
    case `${actorPath}/collections/featured`: case `${actorPath}/collections/tags`:
      if (await refused()) return signatureRequired();
      return activityJson(path.endsWith('/tags') ? renderOrderedItems(identity.featuredTags, []) : renderOrderedItems(identity.featured, d.pinned().map((n) => renderNoteDocument(identity, n))));
    case `${actorPath}/outbox`: case `${actorPath}/followers`: case `${actorPath}/following`:
      if (await refused()) return signatureRequired();
      if (path.endsWith('/outbox')) return outbox(d, url, res, activityJson);
      return collection(d, path.endsWith('/followers') ? 'followers' : 'following', url, res, activityJson);
  }

  const note = /^\/notes\/([a-z0-9]{1,40})(\/activity)?$/.exec(path);
  if (note) {
    const record = d.notes.byId(note[1]!);
    if (!record || !record.local) return sendJson(res, 404, { error: 'not found' });
    if (note[2] || asJson) {
      if (await refused()) return signatureRequired();
    }
    if (!(await mayRead(d, record, signedBy))) return sendJson(res, 404, { error: 'not found' });
    if (note[2]) return activityJson(renderCreate(identity, record));
    if (asJson) return activityJson(renderNoteDocument(identity, record));
    return sendHtml(res, 200, renderNotePage(identity, d.profile(), record));
  }
  const tag = /^\/tags\/([^/]{1,100})$/.exec(path);
  if (tag) {
    const name = decodeURIComponent(tag[1]!).toLowerCase();
    const notes = d.notes.publicNotesBy(identity.actor, Date.now() + 1, d.config.tagPageSize).filter((n) => n.hashtags.includes(name));
    return sendHtml(res, 200, renderTagPage(identity, name, notes));
  }
  // Our uploads and profile pictures: names are never reused, so they are immutable.
  const media = /^\/media\/([^/]{1,80})$/.exec(path);
  if (media) {
    const reply = localFileReply({ profile: d.media, uploads: d.uploads }, media[1]!, req.headers.range, `public, max-age=${d.config.mediaMaxAgeSeconds}, immutable`);
    if (reply.status === 404) return sendJson(res, 404, { error: 'not found' });
    return sendFileReply(req, res, { ...reply, headers: { ...reply.headers, 'access-control-allow-origin': '*' } });
  }
  if (path === '/favicon.ico') return sendText(res, 404, '', 'text/plain');
  return sendJson(res, 404, { error: 'not found' });
}

async function handleInbox(d: PublicServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, d.limits.inboxMaxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: 'activity too large' }, undefined, { connection: 'close' });
    throw err;
  }
  const result = await d.inbox.handle({ method: 'POST', path: req.url ?? '/', headers: req.headers, body });
  sendJson(res, result.status, result.body, undefined, result.headers);
}

function webfinger(d: PublicServerDeps, url: URL, res: ServerResponse): void {
  const { identity } = d;
  const resource = url.searchParams.get('resource') ?? '';
  const acct = resource.replace(/^acct:/i, '').replace(/^@/, '').toLowerCase();
  const matches = resource === identity.actor || resource === `${identity.origin}/@${identity.username}`
    || acct === identity.handle.toLowerCase();
  if (!resource) return sendJson(res, 400, { error: 'resource parameter required' });
  if (!matches) return sendJson(res, 404, { error: 'no such user' });
  sendJson(res, 200, {
    subject: `acct:${identity.handle}`,
    aliases: [identity.actor],
    links: [
      { rel: 'self', type: AS_CONTENT_TYPE, href: identity.actor },
      { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: identity.actor },
    ],
  }, 'application/jrd+json; charset=utf-8', { 'access-control-allow-origin': '*', 'cache-control': `public, max-age=${d.config.webfingerMaxAgeSeconds}` });
}

function nodeinfo(d: PublicServerDeps, version: '2.0' | '2.1', res: ServerResponse): void {
  const followers = d.follows.followers.count('accepted');
  sendJson(res, 200, {
    version,
    software: { name: 'outpost', version: d.version, ...(version === '2.1' ? { repository: 'https://example.invalid/outpost', homepage: d.identity.origin } : {}) },
    protocols: ['activitypub'],
    services: { inbound: [], outbound: [] },
    openRegistrations: false,
    usage: { users: { total: 1, activeMonth: 1, activeHalfyear: 1 }, localPosts: d.stats().notes },
    metadata: { nodeName: `${d.profile().displayName || d.identity.username} (Outpost)`, followers },
  }, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"`);
}

function outbox(d: PublicServerDeps, url: URL, res: ServerResponse, send: (b: unknown) => void): void {
  const { identity } = d;
  const total = d.notes.countPublicBy(identity.actor);
  if (!url.searchParams.has('page')) return send(renderCollection(identity.outbox, total, `${identity.outbox}?page=true`));
  const before = Number(url.searchParams.get('before') ?? '') || Date.now() + 1;
  const pageSize = d.config.outboxPageSize;
  const notes = d.notes.publicNotesBy(identity.actor, before, pageSize);
  const last = notes[notes.length - 1];
  const next = notes.length === pageSize && last ? `${identity.outbox}?page=true&before=${last.publishedAt}` : undefined;
  send(renderCollectionPage(identity.outbox, `${identity.outbox}${url.search}`, notes.map((n) => renderCreate(identity, n)), next));
}

function collection(d: PublicServerDeps, which: 'followers' | 'following', url: URL, res: ServerResponse, send: (b: unknown) => void): void {
  const table = d.follows[which];
  const id = which === 'followers' ? d.identity.followers : d.identity.following;
  const total = table.count('accepted');
  const page = Number(url.searchParams.get('page') ?? '');
  if (!Number.isInteger(page) || page < 1) return send(renderCollection(id, total, `${id}?page=1`));
  const pageSize = d.config.collectionPageSize;
  const items = table.page('accepted', pageSize, (page - 1) * pageSize).map((f) => f.actorUri);
  const next = page * pageSize < total ? `${id}?page=${page + 1}` : undefined;
  const prev = page > 1 ? `${id}?page=${page - 1}` : undefined;
  send(renderCollectionPage(id, `${id}?page=${page}`, items, next, prev));
}

/**
 * Public and unlisted notes are readable by all; others only by a signed GET (either spec,
 * the key refetched once if it rotated) from someone addressed, or an accepted follower of
 * a followers-only note.
 */
async function mayRead(d: PublicServerDeps, note: NoteRecord, signedBy: () => Promise<string | null>): Promise<boolean> {
  if (isPubliclyVisible(note.visibility)) return true;
  const signer = await signedBy();
  if (signer === null) return false;
  if (note.mentions.some((m) => m.href === signer) || note.to.includes(signer) || note.cc.includes(signer)) return true;
  return note.visibility === 'followers' && d.follows.followers.get(signer)?.state === 'accepted';
}

/** The actor who signed this GET, or null when it is unsigned, does not verify, or comes from someone blocked. */
async function signerOf(d: PublicServerDeps, req: IncomingMessage): Promise<string | null> {
  if (!req.headers.signature && !req.headers['signature-input'] && !req.headers.authorization) return null;
  const verified = await verifyRequest(
    { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, scheme: new URL(d.identity.origin).protocol.replace(':', '') },
    { keys: actorKeyResolver(d.actors), window: d.limits },
  );
  return verified.ok && !d.blocks.isBlocked(verified.signer) ? verified.signer : null;
}
