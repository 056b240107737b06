// Reads one page of a remote account's outbox into note records: the collection's first
// page (or a page named by an earlier `next`), Create activities with their notes embedded
// (as Mastodon, GoToSocial and Misskey serve them) or named by URL (fetched, a bounded
// number per page). Every document comes from the account's own host: a page or a note
// elsewhere is not taken, so an outbox cannot make Outpost fetch, or store, someone else's.
import type { PeopleConfig } from '../config';
import type { FederationClient } from '../federation/federationClient';
import { asArray, hostOf, idOf, str, typeOf, type Json } from '../federation/activityStreams';
import type { RemoteActor } from '../federation/remoteActors';
import { newId } from '../ids';
import type { NoteRecord } from './noteRepository';
import { NOTE_TYPES, parseRemoteNote } from './remoteNotes';

export interface OutboxPage {
  notes: NoteRecord[];
  /** The next (older) page's URL, on the account's host, or null. */
  next: string | null;
}

export class OutboxError extends Error {}

export interface OutboxReaderOptions extends Pick<PeopleConfig, 'outboxPageMaxItems' | 'outboxItemFetchMax'> {
  /** No fetch starts after this time (epoch ms). */
  deadline: number;
  now: () => number;
}

/** A page of `actor`'s outbox: the first when `pageUrl` is null. */
export async function readOutboxPage(
  client: Pick<FederationClient, 'getActivityJson'>, actor: RemoteActor, pageUrl: string | null, opts: OutboxReaderOptions,
): Promise<OutboxPage> {
  const own = (url: string | undefined): url is string => !!url && hostOf(url) === actor.host;
  const fetchOwn = async (url: string): Promise<Json> => {
    if (opts.now() > opts.deadline) throw new OutboxError('took too long');
    const doc = await client.getActivityJson(url);
    if (!own(str(doc.id))) throw new OutboxError(`${url} is not served by ${actor.host}`);
    return doc;
  };

  let page: Json;
  if (pageUrl) {
    if (!own(pageUrl)) throw new OutboxError(`${pageUrl} is not on ${actor.host}`);
    page = await fetchOwn(pageUrl);
  } else {
    if (!own(actor.outbox ?? undefined)) throw new OutboxError(actor.outbox ? 'its outbox is on another server' : 'it has no outbox');
    const collection = await fetchOwn(actor.outbox!);
    const first = collection.first;
    if (first && typeof first === 'object' && (asArray((first as Json).orderedItems).length || asArray((first as Json).items).length)) {
      page = first as Json;
    } else if (typeof first === 'string' || idOf(first)) {
      const firstUrl = typeof first === 'string' ? first : idOf(first)!;
      if (!own(firstUrl)) throw new OutboxError(`its first page is on another server (${hostOf(firstUrl)})`);
      page = await fetchOwn(firstUrl);
    } else {
      page = collection; // a small collection with its items inline
    }
  }

  const items = [...asArray<unknown>(page.orderedItems), ...asArray<unknown>(page.items)].slice(0, opts.outboxPageMaxItems);
  let fetches = opts.outboxItemFetchMax;
  const notes: NoteRecord[] = [];
  for (const item of items) {
    let obj: unknown = item;
    try {
      if (typeof obj === 'string') {
        if (!own(obj) || fetches-- <= 0) continue;
        obj = await fetchOwn(obj);
      }
      if (!obj || typeof obj !== 'object') continue;
      if (typeOf(obj) === 'Create') {
        const inner = (obj as Json).object;
        if (idOf((obj as Json).actor) !== actor.uri) continue;
        obj = inner;
        if (typeof obj === 'string') {
          if (!own(obj) || fetches-- <= 0) continue;
          obj = await fetchOwn(obj);
        }
      }
      if (!obj || typeof obj !== 'object' || !NOTE_TYPES.has(typeOf(obj) ?? '')) continue; // boosts and the rest
      const note = parseRemoteNote(obj as Json, newId(), actor.followersUrl, opts.now());
      if (note.authorUri !== actor.uri || !own(note.uri)) continue;
      notes.push(note);
    } catch (err) {
      if (err instanceof OutboxError && err.message === 'took too long') break;
      // One bad item does not spoil the page.
    }
  }
  const next = str(page.next) ?? idOf(page.next) ?? null;
  return { notes, next: next && own(next) && next !== pageUrl ? next : null };
}
