// Activities a personal instance does not act on are processed (marked done, no error)
// and change nothing a user or a remote server could see.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world';

const AS = 'https://www.w3.org/ns/activitystreams';

describe('activities that are not handled', () => {
  it.each(['Add', 'Remove', 'Block', 'Flag', 'Move', 'Read', 'View', 'Question', 'Arrive', 'Offer'])('%s: processed, nothing stored, nothing sent', async (type) => {
    const w = world();
    const bob = w.remote('mastodon');
    const mine = await w.post();
    const deliveriesBefore = w.deliveries().length;
    const result = await w.receive({
      '@context': AS, id: `${bob.origin}/activities/${type}`, type, actor: bob.actorId,
      object: mine.uri, target: w.identity.actor, to: [w.identity.actor],
    });
    expect(result).toEqual({ error: null });
    expect(w.db.prepare('SELECT processed_at FROM inbox_items WHERE activity_uri = ?').get(`${bob.origin}/activities/${type}`)).toEqual({ processed_at: w.now });
    expect(w.notificationsOf()).toEqual([]);
    expect(w.reactions(mine.uri, 'like')).toEqual([]);
    expect(w.follows.followers.list()).toEqual([]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
    expect(w.deliveries()).toHaveLength(deliveriesBefore);
    expect(w.web.fetched).toEqual([]); // not even the actor is fetched
  });

  it('a body that is not JSON is marked failed, and the next activity is still processed', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    w.db.prepare('INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, ?)').run('urn:broken', bob.actorId, '{not json', 1);
    await w.followedBy(bob);
    expect(w.db.prepare<[], { error: string | null; processed: number }>(`SELECT error, processed_at IS NOT NULL AS processed
        FROM inbox_items WHERE activity_uri = 'urn:broken'`).get()).toMatchObject({ processed: 1, error: expect.stringMatching(/JSON/) });
    expect(w.follows.followers.get(bob.actorId)?.state).toBe('accepted');
  });
});
