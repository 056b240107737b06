// Polls as ActivityPub carries them (Mastodon's format): a `Question` with `oneOf` (single
// choice) or `anyOf` (multiple), each option a `Note` whose `name` is its title and whose
// `replies.totalItems` is its count, `endTime`, `closed` and `votersCount`. A vote is a
// `Note` with `name` = the option's title and `inReplyTo` = the question, sent to its author.
import type { PollConfig } from '../config';
import { asArray, str, typeOf, type Json } from '../federation/activityStreams';
import { plainText } from '../federation/sanitize';
import type { PollRecord } from './noteRepository';

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

/** The poll of a remote object, or null when it is not a Question with options. */
export function parsePoll(obj: Json, limits: Pick<PollConfig, 'maxRemoteOptions' | 'maxOptionChars'>, now: number): PollRecord | null {
  if (typeOf(obj) !== 'Question') return null;
  const anyOf = asArray<Json>(obj.anyOf).filter((o) => o && typeof o === 'object');
  const oneOf = asArray<Json>(obj.oneOf).filter((o) => o && typeof o === 'object');
  const multiple = anyOf.length > 0 && oneOf.length === 0;
  const options = (multiple ? anyOf : oneOf).slice(0, limits.maxRemoteOptions).map((o) => ({
    title: [...plainText(str(o.name) ?? '')].slice(0, limits.maxOptionChars).join(''),
    votes: o.replies && typeof o.replies === 'object' ? count((o.replies as Json).totalItems) : null,
  })).filter((o) => o.title !== '');
  if (options.length === 0) return null;
  const endsAt = Date.parse(str(obj.endTime) ?? '');
  // `closed` is the closing time (Mastodon), or true (some servers).
  const closedAt = obj.closed === true ? now : Date.parse(str(obj.closed) ?? '');
  return {
    multiple,
    options,
    votersCount: count(obj.votersCount),
    endsAt: Number.isNaN(endsAt) ? null : endsAt,
    closedAt: Number.isNaN(closedAt) ? null : Math.min(closedAt, now),
  };
}

/** Whether voting is over. */
export function pollClosed(poll: PollRecord, now: number): boolean {
  return poll.closedAt !== null || (poll.endsAt !== null && poll.endsAt <= now);
}

/** The Question fields of a poll of ours, for its note document. */
export function renderPollFields(poll: PollRecord): Json {
  const options = poll.options.map((o) => ({ type: 'Note', name: o.title, replies: { type: 'Collection', totalItems: o.votes ?? 0 } }));
  return {
    [poll.multiple ? 'anyOf' : 'oneOf']: options,
    ...(poll.endsAt !== null ? { endTime: new Date(poll.endsAt).toISOString() } : {}),
    ...(poll.closedAt !== null ? { closed: new Date(poll.closedAt).toISOString() } : {}),
    votersCount: poll.votersCount ?? 0,
  };
}

/** Whether a received Note is shaped as a poll vote (a `name`, no text) rather than a reply. */
export function isVoteShaped(obj: Json): boolean {
  const content = str(obj.content) ?? '';
  return typeOf(obj) === 'Note' && typeof obj.name === 'string' && obj.name.trim() !== '' && plainText(content) === '';
}
