// The one local actor: its keys, its profile and its URLs, all derived from the identity
// origin (see federationGate.ts for how that origin is pinned).
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from '../store/database';
import type { ProfileFieldInput } from '../../../shared/people';

export interface LocalProfile {
  username: string;
  displayName: string;
  summary: string;
  manuallyApprovesFollowers: boolean;
  /** Profile fields (name/value), as typed. */
  fields: ProfileFieldInput[];
  publicKeyPem: string;
  createdAt: number;
  /** Other accounts of this person (alsoKnownAs): followers there may move here. */
  alsoKnownAs: string[];
  /** Where this account moved (movedTo), and when; null while it has not. */
  movedTo: string | null;
  movedAt: number | null;
  /** Listed in profile directories and suggestions (Mastodon's `discoverable`). */
  discoverable: boolean;
  /** Posts may be indexed for full-text search by other servers (Mastodon's `indexable`). */
  indexable: boolean;
}

/** Every URL of the local actor, built from one origin. */
export class LocalIdentity {
  readonly actor: string;
  readonly keyId: string;
  readonly inbox: string;
  readonly sharedInbox: string;
  readonly outbox: string;
  readonly followers: string;
  readonly following: string;
  /** Pinned posts (Mastodon's `featured`) and featured hashtags (`featuredTags`). */
  readonly featured: string;
  readonly featuredTags: string;
  readonly host: string;
  readonly handle: string;

  constructor(readonly origin: string, readonly username: string, readonly privateKey: KeyObject) {
    this.actor = `${origin}/users/${username}`;
    this.keyId = `${this.actor}#main-key`;
    this.inbox = `${this.actor}/inbox`;
    this.sharedInbox = `${origin}/inbox`;
    this.outbox = `${this.actor}/outbox`;
    this.followers = `${this.actor}/followers`;
    this.following = `${this.actor}/following`;
    this.featured = `${this.actor}/collections/featured`;
    this.featuredTags = `${this.actor}/collections/tags`;
    this.host = new URL(origin).host;
    this.handle = `${username}@${this.host}`;
  }

  noteUri(id: string): string {
    return `${this.origin}/notes/${id}`;
  }
  createActivityUri(noteId: string): string {
    return `${this.noteUri(noteId)}/activity`;
  }
  activityUri(id: string): string {
    return `${this.origin}/activities/${id}`;
  }
  mediaUrl(file: string): string {
    return `${this.origin}/media/${file}`;
  }
  tagUrl(tag: string): string {
    return `${this.origin}/tags/${encodeURIComponent(tag.toLowerCase())}`;
  }
  isLocal(uri: string | undefined): boolean {
    return !!uri && (uri === this.origin || uri.startsWith(this.origin + '/'));
  }
  /** The local note id from a local note URI, if it is one. */
  localNoteId(uri: string): string | undefined {
    const prefix = `${this.origin}/notes/`;
    if (!uri.startsWith(prefix)) return undefined;
    const rest = uri.slice(prefix.length);
    return /^[a-z0-9]+$/.test(rest) ? rest : undefined;
  }
}

interface ActorRow {
  username: string; display_name: string; summary: string; public_key_pem: string; private_key_pem: string;
  manually_approves: number; created_at: number; fields_json: string; also_known_as: string; moved_to: string | null; moved_at: number | null;
  discoverable: number; indexable: number;
}

/** Loads the local actor, creating it (with a fresh RSA-2048 key pair) on first start. */
export function ensureLocalActor(db: Db, username: string, now = Date.now()): { profile: LocalProfile; privateKey: KeyObject; created: boolean } {
  let row = db.prepare<[], ActorRow>('SELECT * FROM local_actor WHERE id = 1').get();
  let created = false;
  if (!row) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    db.prepare(`INSERT INTO local_actor (id, username, display_name, public_key_pem, private_key_pem, created_at)
      VALUES (1, ?, ?, ?, ?, ?)`).run(username, username, publicKey, privateKey, now);
    row = db.prepare<[], ActorRow>('SELECT * FROM local_actor WHERE id = 1').get()!;
    created = true;
  }
  return { profile: profileFromRow(row), privateKey: createPrivateKey(row.private_key_pem), created };
}

export function loadProfile(db: Db): LocalProfile {
  return profileFromRow(db.prepare<[], ActorRow>('SELECT * FROM local_actor WHERE id = 1').get()!);
}

export type ProfilePatch = Partial<Pick<LocalProfile, 'displayName' | 'summary' | 'manuallyApprovesFollowers' | 'fields' | 'discoverable' | 'indexable'>>;

export function updateProfile(db: Db, patch: ProfilePatch): LocalProfile {
  const cur = loadProfile(db);
  db.prepare('UPDATE local_actor SET display_name = ?, summary = ?, manually_approves = ?, fields_json = ?, discoverable = ?, indexable = ? WHERE id = 1').run(
    patch.displayName ?? cur.displayName,
    patch.summary ?? cur.summary,
    (patch.manuallyApprovesFollowers ?? cur.manuallyApprovesFollowers) ? 1 : 0,
    JSON.stringify(patch.fields ?? cur.fields),
    (patch.discoverable ?? cur.discoverable) ? 1 : 0,
    (patch.indexable ?? cur.indexable) ? 1 : 0,
  );
  return loadProfile(db);
}

/** Sets the account's aliases (alsoKnownAs). */
export function saveAliases(db: Db, aliases: readonly string[]): void {
  db.prepare('UPDATE local_actor SET also_known_as = ? WHERE id = 1').run(JSON.stringify(aliases));
}

/** Records that the account moved to `target` (movedTo), at `at`. */
export function saveMovedTo(db: Db, target: string, at: number): void {
  db.prepare('UPDATE local_actor SET moved_to = ?, moved_at = ? WHERE id = 1').run(target, at);
}

function parseUriList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function profileFromRow(row: ActorRow): LocalProfile {
  return {
    alsoKnownAs: parseUriList(row.also_known_as),
    movedTo: row.moved_to,
    movedAt: row.moved_at,
    discoverable: row.discoverable === 1,
    indexable: row.indexable === 1,
    username: row.username,
    displayName: row.display_name,
    summary: row.summary,
    manuallyApprovesFollowers: row.manually_approves === 1,
    fields: JSON.parse(row.fields_json) as ProfileFieldInput[],
    publicKeyPem: row.public_key_pem,
    createdAt: row.created_at,
  };
}
