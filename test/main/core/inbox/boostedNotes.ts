// Arrangements the Announce and Undo tests share: a post stored without being in home, and a
// followed account boosting it (which puts it in home as a boost).
import type { ServerKind, World } from '../support/world';

/** A public post by someone the user does not follow, stored because it mentions the user (not in home). */
export async function storedMention(w: World): Promise<string> {
  const carol = w.remote('mastodon', 'https://carol.example');
  const create = carol.fixture('create-note-mention');
  await w.receive(create);
  return create.object.id as string;
}

/** A followed account of `kind` boosts a stored post that is not in home. */
export async function followedBoostOfStoredPost(w: World, kind: ServerKind) {
  const bob = w.remote(kind);
  await w.follow(bob);
  const theirs = await storedMention(w);
  await w.receive(bob.fixture('announce', { LOCAL_NOTE: theirs }));
  return { bob, theirs };
}
