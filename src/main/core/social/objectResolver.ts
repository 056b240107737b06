// What a person pasted or typed — `@user@host`, `user@host`, a profile URL or a post URL —
// as an account or a stored post. The one resolver behind search and the follow box:
// WebFinger for handles; for URLs the store first, else a signed GET with content
// negotiation (or the page's ActivityPub alternate), the origin rule applied, and posts
// stored so they can be replied to, liked and boosted.
import { DomainError, notFound } from '../errors';
import { FetchError } from '../federation/httpClient';
import type { FederationClient } from '../federation/federationClient';
import type { LocalIdentity } from '../federation/localActor';
import { ActorDocumentError, parseHandle, type RemoteActor, type RemoteActors } from '../federation/remoteActors';
import { hostOf, str, typeOf } from '../federation/activityStreams';
import type { Db } from '../store/database';
import type { NoteFetcher } from './noteFetcher';
import { NoteFetchError } from './noteFetcher';
import { NoteParseError } from './remoteNotes';
import { noteFromRow, type NoteRecord, type NoteRepository, type NoteRow } from './noteRepository';

const ACTOR_TYPES = new Set(['Person', 'Service', 'Application', 'Group', 'Organization']);

export type Resolved =
  | { kind: 'account'; actorUri: string; actor: RemoteActor | null }
  | { kind: 'note'; note: NoteRecord };

export interface ObjectResolverDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  actors: RemoteActors;
  client: Pick<FederationClient, 'getActivityJsonFromPage'>;
  fetcher: Pick<NoteFetcher, 'store'>;
}

/** Whether `text` is something the resolver takes (rather than words to search for). */
export function isResolvable(text: string): boolean {
  const t = text.trim();
  return /^https?:\/\/\S+$/i.test(t) || parseHandle(t) !== undefined;
}

export class ObjectResolver {
  private readonly byUrl;
  constructor(private readonly d: ObjectResolverDeps) {
    this.byUrl = d.db.prepare<[string], NoteRow>('SELECT * FROM notes WHERE url = ? LIMIT 1');
  }

  /** An account or a post for a handle or URL; a DomainError says why not, in words for people. */
  async resolve(text: string, opts: { refresh?: boolean } = {}): Promise<Resolved> {
    const t = text.trim();
    try {
      if (!/^https?:\/\//i.test(t)) {
        const h = parseHandle(t);
        if (h && `${h.username}@${h.host}`.toLowerCase() === this.d.identity.handle.toLowerCase()) {
          return { kind: 'account', actorUri: this.d.identity.actor, actor: null };
        }
        const actor = await this.d.actors.resolveHandle(t, opts);
        return { kind: 'account', actorUri: actor.uri, actor };
      }
      return await this.resolveUrl(t, opts);
    } catch (err) {
      throw explain(err, t);
    }
  }

  /** The remote account for a handle or a profile URL (the follow box, profiles). */
  async account(text: string, opts: { refresh?: boolean } = {}): Promise<RemoteActor> {
    const r = await this.resolve(text, opts);
    if (r.kind === 'note') throw new DomainError('invalid', `${text.trim()} is a post, not a profile`);
    if (!r.actor) throw new DomainError('conflict', 'that is your own profile');
    return r.actor;
  }

  private async resolveUrl(url: string, opts: { refresh?: boolean }): Promise<Resolved> {
    const { identity, notes, actors } = this.d;
    if (identity.isLocal(url)) {
      if (url === identity.actor || url === identity.origin || url === `${identity.origin}/@${identity.username}`) {
        return { kind: 'account', actorUri: identity.actor, actor: null };
      }
      const local = notes.byUri(url) ?? (identity.localNoteId(url) ? notes.byId(identity.localNoteId(url)!) : undefined);
      if (local) return { kind: 'note', note: local };
      throw notFound(`nothing of yours is at ${url}`);
    }
    const stored = notes.byUri(url) ?? this.byUrlRow(url);
    if (stored) return { kind: 'note', note: stored };
    const cached = actors.cached(url);
    if (cached && !opts.refresh) return { kind: 'account', actorUri: cached.uri, actor: cached };
    const doc = await this.d.client.getActivityJsonFromPage(url);
    const type = typeOf(doc) ?? '';
    if (ACTOR_TYPES.has(type)) {
      const actor = await actors.resolve(str(doc.id)!, { refresh: true });
      return { kind: 'account', actorUri: actor.uri, actor };
    }
    const note = await this.d.fetcher.store(doc, undefined);
    return { kind: 'note', note };
  }

  private byUrlRow(url: string): NoteRecord | undefined {
    const row = this.byUrl.get(url);
    return row ? noteFromRow(row) : undefined;
  }
}

/** A resolver failure as people read it (the raw reason kept after a colon). */
function explain(err: unknown, text: string): unknown {
  if (err instanceof DomainError) return err;
  const host = hostOf(text) ?? parseHandle(text)?.host ?? text;
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof ActorDocumentError) return notFound(`no such account: ${why}`);
  if (err instanceof NoteFetchError || err instanceof NoteParseError) return new DomainError('invalid', `not a post or a profile: ${why}`);
  if (err instanceof FetchError) {
    if (err.kind === 'http' && (err.status === 404 || err.status === 410)) return notFound(`nothing found at ${text}`);
    if (err.kind === 'http' && (err.status === 401 || err.status === 403)) return new DomainError('remote', `${host} does not show this to us (${err.status})`);
    if (err.kind === 'invalid') return new DomainError('invalid', `not a post or a profile: ${why}`);
    if (err.kind === 'blocked') return new DomainError('remote', `${host} is on a private network: ${why}`);
    // Network errors already start with the host ("a.example: connect ECONNREFUSED …"): name it once.
    return new DomainError('remote', `could not reach ${why.startsWith(host) ? why : `${host}: ${why}`}`);
  }
  return err;
}
