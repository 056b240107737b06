// ActivityStreams documents of the local actor and its notes.
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { NoteRecord } from './noteRepository';
import { AS_CONTEXT, SECURITY_CONTEXT, type Json } from '../federation/activityStreams';
import { escapeHtml } from '../federation/sanitize';
import type { StoredMedia } from '../media/mediaStore';

const NOTE_CONTEXT = [AS_CONTEXT, { sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', toot: 'http://joinmastodon.org/ns#', blurhash: 'toot:blurhash' }];
const ACTOR_CONTEXT = [AS_CONTEXT, SECURITY_CONTEXT, { manuallyApprovesFollowers: 'as:manuallyApprovesFollowers' }];

export function renderActor(id: LocalIdentity, profile: LocalProfile, avatar: StoredMedia | null = null, header: StoredMedia | null = null): Json {
  return {
    '@context': ACTOR_CONTEXT,
    id: id.actor,
    type: 'Person',
    preferredUsername: id.username,
    name: profile.displayName || id.username,
    summary: profile.summary ? `<p>${escapeHtml(profile.summary).replace(/\n/g, '<br>')}</p>` : '',
    url: id.actor,
    inbox: id.inbox,
    outbox: id.outbox,
    followers: id.followers,
    following: id.following,
    endpoints: { sharedInbox: id.sharedInbox },
    manuallyApprovesFollowers: profile.manuallyApprovesFollowers,
    discoverable: true,
    published: new Date(profile.createdAt).toISOString(),
    publicKey: { id: id.keyId, owner: id.actor, publicKeyPem: profile.publicKeyPem },
    ...(avatar ? { icon: { type: 'Image', mediaType: avatar.mediaType, url: id.mediaUrl(avatar.file) } } : {}),
    ...(header ? { image: { type: 'Image', mediaType: header.mediaType, url: id.mediaUrl(header.file) } } : {}),
  };
}

export function renderNote(note: NoteRecord): Json {
  return {
    id: note.uri,
    type: 'Note',
    attributedTo: note.authorUri,
    content: note.contentHtml,
    summary: note.summary,
    sensitive: !!note.summary || note.sensitive,
    inReplyTo: note.inReplyTo,
    published: new Date(note.publishedAt).toISOString(),
    ...(note.updatedAt ? { updated: new Date(note.updatedAt).toISOString() } : {}),
    url: note.url ?? note.uri,
    to: note.to,
    cc: note.cc,
    tag: [
      ...note.mentions.map((m) => ({ type: 'Mention', href: m.href, name: m.name })),
      ...note.hashtags.map((t) => ({ type: 'Hashtag', href: '', name: `#${t}` })),
    ],
    // As Mastodon sends them: a Document each, alt text as `name`.
    attachment: note.attachments.map((a) => ({
      type: 'Document', mediaType: a.mediaType, url: a.url, name: a.description,
      ...(a.blurhash ? { blurhash: a.blurhash } : {}), ...(a.width && a.height ? { width: a.width, height: a.height } : {}),
    })),
  };
}

/** The note with its hashtag hrefs filled in and an @context, as served at its URI. */
export function renderNoteDocument(id: LocalIdentity, note: NoteRecord): Json {
  return { '@context': NOTE_CONTEXT, ...withTagUrls(id, renderNote(note)) };
}

export function renderCreate(id: LocalIdentity, note: NoteRecord): Json {
  return {
    '@context': NOTE_CONTEXT,
    id: id.createActivityUri(note.id),
    type: 'Create',
    actor: id.actor,
    published: new Date(note.publishedAt).toISOString(),
    to: note.to,
    cc: note.cc,
    object: withTagUrls(id, renderNote(note)),
  };
}

function withTagUrls(id: LocalIdentity, note: Json): Json {
  const tags = (note.tag as Json[]).map((t) => (t.type === 'Hashtag' ? { ...t, href: id.tagUrl(String(t.name).slice(1)) } : t));
  return { ...note, tag: tags };
}

/** An OrderedCollection, or one page of it, in the shapes Mastodon serves. */
export function renderCollection(url: string, totalItems: number, first?: string): Json {
  return { '@context': AS_CONTEXT, id: url, type: 'OrderedCollection', totalItems, ...(first ? { first } : {}) };
}

export function renderCollectionPage(url: string, pageUrl: string, items: unknown[], next?: string, prev?: string): Json {
  return {
    '@context': AS_CONTEXT,
    id: pageUrl,
    type: 'OrderedCollectionPage',
    partOf: url,
    orderedItems: items,
    ...(next ? { next } : {}),
    ...(prev ? { prev } : {}),
  };
}
