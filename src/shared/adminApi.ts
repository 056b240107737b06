// The admin API contract: one typed declaration from which both transports
// (Electron IPC and headless HTTP `POST /rpc/<method>`) are generated.
// No runtime dependencies: this file is imported by main, preload and renderer.
import type {
  ComposeResult, DeliveryProgressDto, FollowState, TunnelStatusDto, DeliverySummary, FollowDto, HostDetailDto, HostDto, HostState, MetricsDto, MetricsRange, NotificationPage, ProfileLookupDto,
  QueueStatsDto, SettingsDto, StatusDto, StorageHealthDto, TimelinePage, BlocksDto, Visibility, AvatarMediaType, DeliverySettingsDto, AliasesDto,
  MediaStorageDto, MediaUploadType, UploadedMediaDto,
} from './dto';
import {
  AVATAR_MAX_BYTES, AVATAR_MEDIA_TYPES, MEDIA_DESCRIPTION_MAX_CHARS, MEDIA_UPLOAD_MAX_BYTES, MEDIA_UPLOAD_TYPES, METRICS_RANGES, VISIBILITIES,
} from './dto';
import type { NoteDto } from './dto';
import type { NoteVersionDto, SearchResultDto, ThreadDto } from './conversations';
import { POLL_LIMITS } from './conversations';
import type { ProfileFieldInput, SentActivityPage } from './people';
import { PROFILE_FIELD_NAME_MAX, PROFILE_FIELD_VALUE_MAX, PROFILE_FIELDS_MAX, SENT_ACTIVITIES_MAX_OBJECTS } from './people';
import { SIGNATURE_SPECS } from './federation';

type Empty = Record<string, never>;

/** Every admin method: its params and its result. */
export interface AdminMethods {
  status: { params: Empty; result: StatusDto };
  exportBackup: { params: Empty; result: { path: string; at: number; bytes: number } };
  block: { params: { handle: string }; result: BlocksDto };
  unblock: { params: { handle: string }; result: BlocksDto };
  mute: { params: { handle: string }; result: BlocksDto };
  unmute: { params: { handle: string }; result: BlocksDto };
  blockDomain: { params: { domain: string }; result: BlocksDto };
  unblockDomain: { params: { domain: string }; result: BlocksDto };
  blocks: { params: Empty; result: BlocksDto };
  report: { params: { handle: string; noteIds?: string[]; comment?: string }; result: { ok: true } };
  compose: {
    params: { content: string; visibility?: Visibility; summary?: string; inReplyTo?: string; mediaIds?: string[]; sensitive?: boolean; poll?: PollParams };
    result: ComposeResult;
  };
  thread: { params: { noteId: string }; result: ThreadDto };
  editNote: { params: { noteId: string; content: string; summary?: string }; result: NoteDto };
  noteHistory: { params: { noteId: string }; result: NoteVersionDto[] };
  vote: { params: { noteId: string; choices: number[] }; result: NoteDto };
  bookmark: { params: { noteId: string }; result: { ok: true } };
  unbookmark: { params: { noteId: string }; result: { ok: true } };
  bookmarks: { params: { limit?: number; before?: string }; result: TimelinePage };
  search: { params: { q: string; offset?: number }; result: SearchResultDto };
  tagTimeline: { params: { tag: string; limit?: number; before?: string }; result: TimelinePage };
  uploadMedia: { params: { data: string; mediaType: MediaUploadType; description?: string }; result: UploadedMediaDto };
  describeMedia: { params: { mediaId: string; description: string }; result: UploadedMediaDto };
  storage: { params: Empty; result: MediaStorageDto };
  clearMediaCache: { params: Empty; result: MediaStorageDto };
  timeline: { params: { limit?: number; before?: string }; result: TimelinePage };
  notifications: { params: { limit?: number; before?: string }; result: NotificationPage };
  markNotificationsRead: { params: { upTo: string }; result: { ok: true } };
  lookup: { params: { handle: string }; result: ProfileLookupDto };
  /** An account's profile and recent posts; `page` (a previous answer's postsNext) pages back. */
  profile: { params: { handle: string; page?: string }; result: ProfileLookupDto };
  /** Activities we sent and their delivery progress: about the given objects, or the newest first. */
  sentActivities: { params: { objectUris?: string[]; limit?: number; before?: string }; result: SentActivityPage };
  follow: { params: { handle: string }; result: FollowDto };
  unfollow: { params: { handle: string }; result: { ok: true } };
  followers: { params: Empty; result: FollowDto[] };
  following: { params: Empty; result: FollowDto[] };
  approveFollower: { params: { actor: string }; result: { ok: true } };
  rejectFollower: { params: { actor: string }; result: { ok: true } };
  like: { params: { noteId: string }; result: { ok: true } };
  unlike: { params: { noteId: string }; result: { ok: true } };
  boost: { params: { noteId: string }; result: { ok: true } };
  unboost: { params: { noteId: string }; result: { ok: true } };
  deleteNote: { params: { noteId: string }; result: { ok: true } };
  queueStats: { params: Empty; result: QueueStatsDto };
  deliveryProgress: { params: { activityId: string }; result: DeliveryProgressDto };
  hosts: { params: Empty; result: HostDto[] };
  host: { params: { host: string }; result: HostDetailDto };
  retryHost: { params: { host: string }; result: HostDto };
  suspendHost: { params: { host: string }; result: HostDto };
  resumeHost: { params: { host: string }; result: HostDto };
  metrics: { params: { range: MetricsRange }; result: MetricsDto };
  tunnelStatus: { params: Empty; result: TunnelStatusDto };
  tunnelStart: { params: { host?: string; subdomain?: string }; result: TunnelStatusDto };
  tunnelStop: { params: Empty; result: TunnelStatusDto };
  settings: { params: Empty; result: SettingsDto };
  updateSettings: { params: SettingsUpdate; result: SettingsDto };
  uploadAvatar: { params: { data: string; mediaType: AvatarMediaType }; result: SettingsDto };
  removeAvatar: { params: Empty; result: SettingsDto };
  uploadHeader: { params: { data: string; mediaType: AvatarMediaType }; result: SettingsDto };
  removeHeader: { params: Empty; result: SettingsDto };
  aliases: { params: Empty; result: AliasesDto };
  addAlias: { params: { handle: string }; result: AliasesDto };
  removeAlias: { params: { handle: string }; result: AliasesDto };
  moveAccount: { params: { target: string }; result: AliasesDto };
  pin: { params: { noteId: string }; result: { ok: true } };
  unpin: { params: { noteId: string }; result: { ok: true } };
}

/** A poll attached to a new post (Mastodon's limits: POLL_LIMITS). */
export interface PollParams {
  options: string[];
  multiple?: boolean;
  expiresInS: number;
}

/** What updateSettings changes: profile fields, the notification switch and the delivery tunables. */
export type SettingsUpdate = Partial<Pick<SettingsDto, 'displayName' | 'summary' | 'manuallyApprovesFollowers' | 'osNotifications' | 'authorizedFetch'
  | 'discoverable' | 'indexable' | 'signatureSpec' | 'showSensitiveMedia'> & DeliverySettingsDto & { fields: ProfileFieldInput[] }>;

export type AdminMethod = keyof AdminMethods;
export type ParamsOf<M extends AdminMethod> = AdminMethods[M]['params'];
export type ResultOf<M extends AdminMethod> = AdminMethods[M]['result'];

/** The client-side shape: what `window.outpost` and the HTTP client expose. */
export type AdminApi = { [M in AdminMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

// ---- runtime parameter validation -------------------------------------------------

export type FieldSpec =
  | { type: 'string'; optional?: boolean; maxLength: number; minLength?: number; oneOf?: readonly string[] }
  | { type: 'integer'; optional?: boolean; min: number; max: number }
  | { type: 'boolean'; optional?: boolean }
  /** Base64 data, checked by decoded size (no character counting on megabytes). */
  | { type: 'base64'; optional?: boolean; maxBytes: number }
  /** A list of non-empty strings (each at most maxLength characters). */
  | { type: 'strings'; optional?: boolean; maxItems: number; maxLength: number; minItems?: number }
  /** A list of integers. */
  | { type: 'integers'; optional?: boolean; maxItems: number; min: number; max: number; minItems?: number }
  /** An object with its own fields (unknown ones refused). */
  | { type: 'object'; optional?: boolean; fields: Record<string, FieldSpec> }

  /** A list of {name, value} pairs (profile fields); empty names and values are allowed only together. */
  | { type: 'pairs'; optional?: boolean; maxItems: number; maxNameLength: number; maxValueLength: number };

type SpecFor<P> = { [K in keyof Required<P>]-?: FieldSpec };

const handle: FieldSpec = { type: 'string', maxLength: 512, minLength: 3 };
const id: FieldSpec = { type: 'string', maxLength: 2048, minLength: 1 };
const uri: FieldSpec = { type: 'string', maxLength: 2048, minLength: 8 };
const hostName: FieldSpec = { type: 'string', maxLength: 300, minLength: 1 };
const pageLimit: FieldSpec = { type: 'integer', optional: true, min: 1, max: 200 };
const cursor: FieldSpec = { type: 'string', optional: true, maxLength: 200 };

/** Maximum note length in characters (as Mastodon). */
export const NOTE_MAX_CHARS = 500;

export const adminParamSpecs: { [M in AdminMethod]: SpecFor<ParamsOf<M>> } = {
  status: {},
  exportBackup: {},
  block: { handle },
  unblock: { handle },
  mute: { handle },
  unmute: { handle },
  blockDomain: { domain: { type: 'string', maxLength: 300, minLength: 3 } },
  unblockDomain: { domain: { type: 'string', maxLength: 300, minLength: 1 } },
  blocks: {},
  report: {
    handle,
    noteIds: { type: 'strings', optional: true, maxItems: 20, maxLength: 2048 },
    comment: { type: 'string', optional: true, maxLength: 1000 },
  },
  compose: {
    // May be empty when the post carries media (the instance says so otherwise).
    content: { type: 'string', maxLength: NOTE_MAX_CHARS },
    visibility: { type: 'string', optional: true, maxLength: 16, oneOf: VISIBILITIES },
    summary: { type: 'string', optional: true, maxLength: 500 },
    inReplyTo: { type: 'string', optional: true, maxLength: 2048 },
    mediaIds: { type: 'strings', optional: true, maxItems: 4, maxLength: 40 },
    sensitive: { type: 'boolean', optional: true },
    poll: {
      type: 'object', optional: true, fields: {
        options: { type: 'strings', minItems: POLL_LIMITS.minOptions, maxItems: POLL_LIMITS.maxOptions, maxLength: POLL_LIMITS.maxOptionChars },
        multiple: { type: 'boolean', optional: true },
        expiresInS: { type: 'integer', min: POLL_LIMITS.minExpiresInS, max: POLL_LIMITS.maxExpiresInS },
      },
    },
  },
  uploadMedia: {
    data: { type: 'base64', maxBytes: MEDIA_UPLOAD_MAX_BYTES },
    mediaType: { type: 'string', maxLength: 40, oneOf: MEDIA_UPLOAD_TYPES },
    description: { type: 'string', optional: true, maxLength: MEDIA_DESCRIPTION_MAX_CHARS },
  },
  describeMedia: { mediaId: { type: 'string', maxLength: 40, minLength: 1 }, description: { type: 'string', maxLength: MEDIA_DESCRIPTION_MAX_CHARS } },
  storage: {},
  clearMediaCache: {},
  thread: { noteId: id },
  editNote: {
    noteId: id,
    content: { type: 'string', maxLength: NOTE_MAX_CHARS, minLength: 1 },
    summary: { type: 'string', optional: true, maxLength: 500 },
  },
  noteHistory: { noteId: id },
  // Remote polls may offer more options than ours; a vote names at most this many.
  vote: { noteId: id, choices: { type: 'integers', minItems: 1, maxItems: 64, min: 0, max: 63 } },
  bookmark: { noteId: id },
  unbookmark: { noteId: id },
  bookmarks: { limit: pageLimit, before: cursor },
  search: { q: { type: 'string', maxLength: 2048, minLength: 1 }, offset: { type: 'integer', optional: true, min: 0, max: 10_000 } },
  tagTimeline: { tag: { type: 'string', maxLength: 100, minLength: 1 }, limit: pageLimit, before: cursor },
  timeline: { limit: pageLimit, before: cursor },
  notifications: { limit: pageLimit, before: cursor },
  markNotificationsRead: { upTo: id },
  lookup: { handle },
  profile: { handle, page: { type: 'string', optional: true, maxLength: 2048, minLength: 1 } },
  sentActivities: {
    objectUris: { type: 'strings', optional: true, maxItems: SENT_ACTIVITIES_MAX_OBJECTS, maxLength: 2048 },
    limit: pageLimit,
    before: cursor,
  },
  follow: { handle },
  unfollow: { handle },
  followers: {},
  following: {},
  approveFollower: { actor: uri },
  rejectFollower: { actor: uri },
  like: { noteId: id },
  unlike: { noteId: id },
  boost: { noteId: id },
  unboost: { noteId: id },
  deleteNote: { noteId: id },
  queueStats: {},
  deliveryProgress: { activityId: id },
  hosts: {},
  host: { host: hostName },
  retryHost: { host: hostName },
  suspendHost: { host: hostName },
  resumeHost: { host: hostName },
  metrics: { range: { type: 'string', maxLength: 3, oneOf: METRICS_RANGES } },
  tunnelStatus: {},
  tunnelStart: {
    host: { type: 'string', optional: true, maxLength: 300, minLength: 8 },
    subdomain: { type: 'string', optional: true, maxLength: 63, minLength: 4 },
  },
  tunnelStop: {},
  settings: {},
  updateSettings: {
    displayName: { type: 'string', optional: true, maxLength: 100 },
    summary: { type: 'string', optional: true, maxLength: 2000 },
    fields: { type: 'pairs', optional: true, maxItems: PROFILE_FIELDS_MAX, maxNameLength: PROFILE_FIELD_NAME_MAX, maxValueLength: PROFILE_FIELD_VALUE_MAX },
    manuallyApprovesFollowers: { type: 'boolean', optional: true },
    osNotifications: { type: 'boolean', optional: true },
    authorizedFetch: { type: 'boolean', optional: true },
    showSensitiveMedia: { type: 'boolean', optional: true },
    discoverable: { type: 'boolean', optional: true },
    indexable: { type: 'boolean', optional: true },
    signatureSpec: { type: 'string', optional: true, maxLength: 16, oneOf: SIGNATURE_SPECS },
    globalConcurrency: { type: 'integer', optional: true, min: 1, max: 512 },
    perHostConcurrency: { type: 'integer', optional: true, min: 1, max: 32 },
    attemptTimeoutMs: { type: 'integer', optional: true, min: 1000, max: 120_000 },
    retryInitialDelayMs: { type: 'integer', optional: true, min: 1000, max: 3_600_000 },
    retryMaxDelayMs: { type: 'integer', optional: true, min: 60_000, max: 86_400_000 },
    // At least 48 h: a laptop that sleeps over a weekend must still deliver.
    retryMaxElapsedMs: { type: 'integer', optional: true, min: 48 * 3_600_000, max: 14 * 86_400_000 },
  },
  uploadAvatar: {
    data: { type: 'base64', maxBytes: AVATAR_MAX_BYTES },
    mediaType: { type: 'string', maxLength: 20, oneOf: AVATAR_MEDIA_TYPES },
  },
  removeAvatar: {},
  uploadHeader: {
    data: { type: 'base64', maxBytes: AVATAR_MAX_BYTES },
    mediaType: { type: 'string', maxLength: 20, oneOf: AVATAR_MEDIA_TYPES },
  },
  removeHeader: {},
  aliases: {},
  addAlias: { handle },
  removeAlias: { handle },
  moveAccount: { target: handle },
  pin: { noteId: id },
  unpin: { noteId: id },
};

export const ADMIN_METHODS = Object.keys(adminParamSpecs) as AdminMethod[];

export function isAdminMethod(name: string): name is AdminMethod {
  return Object.prototype.hasOwnProperty.call(adminParamSpecs, name);
}

/** A request the caller got wrong: transports answer it with 4xx. */
export class AdminError extends Error {
  constructor(
    readonly code: 'bad_params' | 'unknown_method' | 'unauthorized' | 'not_found' | 'conflict' | 'remote_error' | 'federation_paused' | 'storage_full',
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** HTTP status for an AdminError code. */
export const ADMIN_ERROR_STATUS: Record<AdminError['code'], number> = {
  bad_params: 400,
  unknown_method: 404,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  remote_error: 422,
  federation_paused: 409,
  storage_full: 507,
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** No real character is this long in UTF-16 units (👨🏽‍👩🏽‍👧🏽‍👦🏽 is 19). */
const MAX_UNITS_PER_CHARACTER = 32;

/**
 * Whether `text` has more than `max` characters, counted as a reader sees them (grapheme
 * clusters, as Mastodon counts a note's length: an emoji such as 👩‍💻 or 🇫🇷 is one).
 * The cost is bounded by `max`, not by the input (each step of a segmenter iterator costs
 * time proportional to the whole string).
 */
function charactersExceed(text: string, max: number): boolean {
  if (text.length <= max) return false; // a character is at least one UTF-16 unit
  if (text.length > (max + 1) * MAX_UNITS_PER_CHARACTER) return true;
  let n = 0;
  for (const _ of graphemes.segment(text)) if (++n > max) return true;
  return false;
}

/** Checks params against the method's spec; returns a clean copy or throws AdminError naming the field. */
export function validateParams<M extends AdminMethod>(method: M, raw: unknown): ParamsOf<M> {
  const input = raw === undefined || raw === null ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new AdminError('bad_params', `${method}: params must be a JSON object`);
  }
  return checkObject(method, '', adminParamSpecs[method] as Record<string, FieldSpec>, input as Record<string, unknown>) as ParamsOf<M>;
}

/** The declared fields of `obj` (named `prefix` + key in errors), checked. */
function checkObject(method: string, prefix: string, spec: Record<string, FieldSpec>, obj: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(obj)) {
    // Own properties only: "constructor", "toString" or "__proto__" are unknown fields too.
    if (!Object.prototype.hasOwnProperty.call(spec, key)) throw new AdminError('bad_params', `${method}: unknown field "${prefix}${key}"`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!field.optional) throw new AdminError('bad_params', `${method}: field "${prefix}${key}" is required`);
      continue;
    }
    out[key] = checkField(method, `${prefix}${key}`, field, value);
  }
  return out;
}

function checkField(method: string, name: string, field: FieldSpec, value: unknown): unknown {
  const bad = (what: string) => new AdminError('bad_params', `${method}: field "${name}" ${what}`);
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') throw bad('must be a string');
      if (charactersExceed(value, field.maxLength)) throw bad(`is longer than ${field.maxLength} characters`);
      if (field.minLength !== undefined && !charactersExceed(value.trim(), field.minLength - 1)) {
        throw bad(field.minLength <= 1 ? 'must not be empty' : `must be at least ${field.minLength} characters`);
      }
      if (field.oneOf && !field.oneOf.includes(value)) throw bad(`must be one of ${field.oneOf.join(', ')}`);
      return value;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('must be an integer');
      if (value < field.min || value > field.max) throw bad(`must be between ${field.min} and ${field.max}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('must be a boolean');
      return value;
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) throw bad('must be a list of non-empty strings');
      checkCount(bad, value.length, field);
      if (value.some((v: string) => charactersExceed(v, field.maxLength))) throw bad(`has an entry longer than ${field.maxLength} characters`);
      return value;
    case 'integers':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isInteger(v))) throw bad('must be a list of integers');
      checkCount(bad, value.length, field);
      if (value.some((v: number) => v < field.min || v > field.max)) throw bad(`has an entry outside ${field.min} … ${field.max}`);
      return value;
    case 'pairs': {
      const pairs = value as unknown[];
      const ok = Array.isArray(pairs) && pairs.every((p) => p !== null && typeof p === 'object' && !Array.isArray(p)
        && Object.keys(p).every((k) => k === 'name' || k === 'value')
        && typeof (p as Record<string, unknown>).name === 'string' && typeof (p as Record<string, unknown>).value === 'string');
      if (!ok) throw bad('must be a list of {name, value} strings');
      if (pairs.length > field.maxItems) throw bad(`has more than ${field.maxItems} entries`);
      const clean = (pairs as { name: string; value: string }[]).map((p) => ({ name: p.name.trim(), value: p.value.trim() }));
      clean.forEach((p, i) => {
        if (charactersExceed(p.name, field.maxNameLength)) throw new AdminError('bad_params', `${method}: ${name}[${i}].name is longer than ${field.maxNameLength} characters`);
        if (charactersExceed(p.value, field.maxValueLength)) throw new AdminError('bad_params', `${method}: ${name}[${i}].value is longer than ${field.maxValueLength} characters`);
        if ((p.name === '') !== (p.value === '')) throw new AdminError('bad_params', `${method}: ${name}[${i}] needs both a name and a value`);
      });
      return clean.filter((p) => p.name !== '');
    }
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object');
      return checkObject(method, `${name}.`, field.fields, value as Record<string, unknown>);
    case 'base64':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw bad('must be base64 data');
      if ((value.length / 4) * 3 > field.maxBytes + 2) {
        throw bad(`is larger than ${field.maxBytes >= 1024 * 1024 ? `${Math.round(field.maxBytes / 1024 / 1024)} MiB` : `${Math.round(field.maxBytes / 1024)} KiB`}`);
      }
      return value;
  }
}

function checkCount(bad: (what: string) => AdminError, n: number, field: { maxItems: number; minItems?: number }): void {
  if (n > field.maxItems) throw bad(`has more than ${field.maxItems} entries`);
  if (field.minItems !== undefined && n < field.minItems) throw bad(`needs at least ${field.minItems} entries`);
}

// ---- events ------------------------------------------------------------------------

export interface AdminEvents {
  queue: QueueStatsDto;
  delivery: DeliverySummary;
  host: { host: string; state: HostState; consecutiveFailures: number; backoffUntil: number | null };
  timeline: { cursor: string };
  notification: { type: string; at: number };
  /** A follow changed: someone followed/unfollowed us, or answered our follow. */
  follows: { direction: 'followers' | 'following'; actor: string; state: FollowState | 'removed' };
  tunnel: TunnelStatusDto;
  /** The store's health changed (integrity check done, disk full, space back). */
  storage: Omit<StorageHealthDto, 'lastBackup'>;
}
export type AdminEventName = keyof AdminEvents;
export const ADMIN_EVENTS: AdminEventName[] = ['queue', 'delivery', 'host', 'timeline', 'notification', 'follows', 'tunnel', 'storage'];
