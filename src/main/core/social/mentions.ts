// The `@user@host` mentions of a post the user writes (a new one or an edit): resolved by
// WebFinger into links, Mention tags and the accounts it is delivered to.
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActor, RemoteActors } from '../federation/remoteActors';
import type { BlockList } from './blockList';
import { findMentions, type MentionRef } from './contentFormat';
import type { Views } from './views';

export interface MentionsDeps {
  identity: LocalIdentity;
  actors: Pick<RemoteActors, 'resolveHandle' | 'cached'>;
  blocks: Pick<BlockList, 'isBlocked'>;
  views: Pick<Views, 'actor'>;
}

export interface ResolvedMentions {
  /** By lower-cased handle: what the text's mentions link to (unresolved ones stay text). */
  refs: Map<string, MentionRef>;
  /** Remote accounts the post is delivered to (blocked ones named, never delivered to). */
  mentioned: Map<string, RemoteActor>;
  /** The post's Mention tags (the replied-to author's included). */
  tags: { href: string; name: string }[];
}

/** Resolves the mentions of `content`; `parentAuthor` (a reply's) is mentioned too. */
export async function resolveMentions(d: MentionsDeps, content: string, parentAuthor?: string): Promise<ResolvedMentions> {
  const { identity } = d;
  const refs = new Map<string, MentionRef>();
  const mentioned = new Map<string, RemoteActor>();
  await Promise.all(findMentions(content).map(async (handle) => {
    if (handle === identity.handle.toLowerCase()) {
      refs.set(handle, { handle, uri: identity.actor, url: identity.actor });
      return;
    }
    try {
      const actor = await d.actors.resolveHandle(handle);
      refs.set(handle, { handle, uri: actor.uri, url: actor.url ?? actor.uri });
      // A blocked account may be named, but is never delivered to.
      if (!d.blocks.isBlocked(actor.uri)) mentioned.set(actor.uri, actor);
    } catch {
      refs.set(handle, { handle }); // stays plain text, like Mastodon does with unknown accounts
    }
  }));
  const replyingToOther = parentAuthor !== undefined && parentAuthor !== identity.actor;
  if (replyingToOther) {
    const author = d.actors.cached(parentAuthor);
    if (author) mentioned.set(author.uri, author);
  }
  const tags = [...refs.values()].filter((r) => r.uri).map((r) => ({ href: r.uri!, name: `@${r.handle}` }));
  if (replyingToOther && !tags.some((m) => m.href === parentAuthor)) {
    tags.push({ href: parentAuthor, name: `@${d.views.actor(parentAuthor).handle}` });
  }
  return { refs, mentioned, tags };
}
