// ActivityStreams documents of the local actor and its notes.
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { NoteRecord } from './noteRepository';
import { AS_CONTEXT, SECURITY_CONTEXT, type Json } from '../federation/activityStreams';
import { escapeHtml } from '../federation/sanitize';
import { renderFieldValue } from './contentFormat';
import type { StoredMedia } from '../media/mediaStore';
import { renderPollFields } from './pollDocuments';

const NOTE_CONTEXT = [AS_CONTEXT, { sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', toot: 'http://joinmastodon.org/ns#', votersCount: 'toot:votersCount', blurhash: 'toot:blurhash' }];

/** The terms of the actor document beyond ActivityStreams and security v1 (as Mastodon declares them). */
const ACTOR_TERMS = {
  manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
  toot: 'http://joinmastodon.org/ns#',
  featured: { '@id': 'toot:featured', '@type': '@id' },
  featuredTags: { '@id': 'toot:featuredTags', '@type': '@id' },
  discoverable: 'toot:discoverable',
  indexable: 'toot:indexable',
  alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' },
  movedTo: { '@id': 'as:movedTo', '@type': '@id' },
  webfinger: 'https://purl.archive.org/socialweb/webfinger#webfinger',
  schema: 'http://schema.org#',
  PropertyValue: 'schema:PropertyValue',
  value: 'schema:value',
};

export function renderActor(id: LocalIdentity, profile: LocalProfile, avatar: StoredMedia | null = null, header: StoredMedia | null = null): Json {
  return {
    '@context': [AS_CONTEXT, SECURITY_CONTEXT, ACTOR_TERMS],
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
    featured: id.featured,
    featuredTags: id.featuredTags,
    manuallyApprovesFollowers: profile.manuallyApprovesFollowers,
    discoverable: profile.discoverable,
    indexable: profile.indexable,
    // FEP-2c59: the handle to show, so nobody has to guess it from the id.
    webfinger: `acct:${id.handle}`,
    ...(profile.alsoKnownAs.length > 0 ? { alsoKnownAs: profile.alsoKnownAs } : {}),
    ...(profile.movedTo ? { movedTo: profile.movedTo } : {}),
    published: new Date(profile.createdAt).toISOString(),
    publicKey: { id: id.keyId, owner: id.actor, publicKeyPem: profile.publicKeyPem },
    // Profile fields as Mastodon federates them; a URL value is a rel="me" link.
    attachment: profile.fields.map((f) => ({ type: 'PropertyValue', name: f.name, value: renderFieldValue(f.value) })),
    ...(avatar ? { icon: { type: 'Image', mediaType: avatar.mediaType, url: id.mediaUrl(avatar.file) } } : {}),
    ...(header ? { image: { type: 'Image', mediaType: header.mediaType, url: id.mediaUrl(header.file) } } : {}),
  };
}

export function renderNote(note: NoteRecord): Json {
  return {
    id: note.uri,
    type: note.poll ? 'Question' : 'Note',
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
    ...(note.poll ? renderPollFields(note.poll) : {}),
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

/** Update(Note) for an edit, or Update(Question) for new poll results, to the note's audience. */
export function renderUpdate(id: LocalIdentity, note: NoteRecord, activityUri: string, at: number): Json {
  return {
    '@context': NOTE_CONTEXT,
    id: activityUri,
    type: 'Update',
    actor: id.actor,
    published: new Date(at).toISOString(),
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

/** A small OrderedCollection served whole (featured posts, featured tags), as Mastodon serves them. */
export function renderOrderedItems(url: string, items: unknown[]): Json {
  return { '@context': AS_CONTEXT, id: url, type: 'OrderedCollection', totalItems: items.length, orderedItems: items };
}
