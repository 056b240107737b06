// Visibility ↔ ActivityPub addressing, the way Mastodon maps them.
import type { Visibility } from '../../../shared/dto';
import { AS_PUBLIC, isPublicAddress } from '../federation/activityStreams';

export interface Addressing {
  to: string[];
  cc: string[];
}

/** to/cc for a note of ours with this visibility, followers collection and mentioned actors. */
export function addressNote(visibility: Visibility, followers: string, mentioned: readonly string[]): Addressing {
  const m = [...new Set(mentioned)];
  switch (visibility) {
    case 'public':
      return { to: [AS_PUBLIC], cc: [followers, ...m] };
    case 'unlisted':
      return { to: [followers], cc: [AS_PUBLIC, ...m] };
    case 'followers':
      return { to: [followers], cc: m };
    case 'direct':
      return { to: m, cc: [] };
  }
}

/** The visibility of a remote note from its addressing and its author's followers collection. */
export function visibilityOf(to: readonly string[], cc: readonly string[], authorFollowers: string | null): Visibility {
  if (to.some(isPublicAddress)) return 'public';
  if (cc.some(isPublicAddress)) return 'unlisted';
  const all = [...to, ...cc];
  if (all.some((a) => (authorFollowers && a === authorFollowers) || /\/followers$/.test(a))) return 'followers';
  return 'direct';
}

export function isPubliclyVisible(v: Visibility): boolean {
  return v === 'public' || v === 'unlisted';
}
