// LocalActions.updateSettings / announceProfile: a changed profile is announced to the
// followers' servers (Update of the Person); an unchanged one is not.
import { describe, expect, it } from 'vitest';
import { AS_PUBLIC } from '../../../../src/main/core/federation/activityStreams';
import { world } from '../support/world';

describe('updateSettings', () => {
  it('a new display name and bio: saved, and an Update(Person) carrying them goes to every follower server', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const gts = w.remote('gotosocial');
    await w.followedBy(bob);
    await w.followedBy(gts);
    const profile = w.actions.updateSettings({ displayName: 'Alice A.', summary: 'birds & bikes' });
    expect(profile).toMatchObject({ displayName: 'Alice A.', summary: 'birds & bikes' });
    const updates = w.deliveries('Update');
    expect(updates.map((d) => d.inbox).sort()).toEqual([bob.deliveryInbox, gts.inbox].sort());
    expect(updates[0]!.activity).toMatchObject({
      actor: w.identity.actor, to: [AS_PUBLIC], cc: [w.identity.followers],
      object: { id: w.identity.actor, type: 'Person', name: 'Alice A.' },
    });
    expect(updates[0]!.activity.object.summary).toContain('birds &amp; bikes');
  });

  it('turning follow approval on is announced too', async () => {
    const w = world();
    await w.followedBy(w.remote('pleroma'));
    w.actions.updateSettings({ manuallyApprovesFollowers: true });
    expect(w.deliveries('Update')[0]!.activity.object.manuallyApprovesFollowers).toBe(true);
  });

  it('the same values again: nothing is announced', async () => {
    const w = world();
    await w.followedBy(w.remote('mastodon'));
    w.actions.updateSettings({ displayName: 'alice', manuallyApprovesFollowers: false });
    expect(w.activities('Update')).toEqual([]);
  });
});

describe('announceProfile', () => {
  it('with no followers: the Update is stored but has nowhere to go', async () => {
    const w = world();
    w.actions.announceProfile();
    expect(w.activities('Update')).toHaveLength(1);
    expect(w.deliveries()).toEqual([]);
  });
});
