// Followers and following, and the actions on them.
import type { FollowDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { remote, type Remote, type Slice } from './types';

export interface PeopleSlice {
  followers: Remote<FollowDto[]>;
  following: Remote<FollowDto[]>;
  loadFollowers(): Promise<void>;
  loadFollowing(): Promise<void>;
  /** Accepts or rejects a follow request; false when it failed (a toast says why). */
  answerFollower(actor: string, approve: boolean): Promise<boolean>;
  follow(handle: string): Promise<FollowDto>;
  unfollow(handle: string): Promise<boolean>;
  /** Removes a follower (their server is sent a Reject of their follow); false when it failed. */
  removeFollower(actor: string, handle: string): Promise<boolean>;
}

export const createPeopleSlice: Slice<PeopleSlice> = (set, get) => {
  const loader = (key: 'followers' | 'following') => async () => {
    const cur = get()[key];
    if (cur.status !== 'ready') set({ [key]: { ...cur, status: 'loading', error: null } } as Partial<PeopleSlice>);
    try {
      const data = await api()[key]({});
      set({ [key]: { data, status: 'ready', error: null } } as Partial<PeopleSlice>);
    } catch (err) {
      const now = get()[key];
      set({ [key]: { ...now, status: now.status === 'ready' ? 'ready' : 'error', error: errorMessage(err) } } as Partial<PeopleSlice>);
    }
  };
  return {
    followers: remote([]),
    following: remote([]),
    loadFollowers: loader('followers'),
    loadFollowing: loader('following'),

    async answerFollower(actor, approve) {
      try {
        await (approve ? api().approveFollower({ actor }) : api().rejectFollower({ actor }));
      } catch (err) {
        get().toastError(`Could not ${approve ? 'approve' : 'reject'} the request`, err);
        return false;
      }
      await Promise.all([get().loadFollowers(), get().loadStatus()]);
      return true;
    },

    async follow(handle) {
      const result = await api().follow({ handle });
      void get().loadFollowing();
      void get().loadStatus();
      return result;
    },

    async unfollow(handle) {
      try {
        await api().unfollow({ handle });
      } catch (err) {
        get().toastError(`Could not unfollow ${handle}`, err);
        return false;
      }
      const f = get().following;
      set({ following: { ...f, data: f.data.filter((x) => x.actor.handle !== handle) } });
      void get().loadFollowing();
      void get().loadStatus();
      return true;
    },

    async removeFollower(actor, handle) {
      try {
        await api().rejectFollower({ actor });
      } catch (err) {
        get().toastError(`Could not remove ${handle}`, err);
        return false;
      }
      const f = get().followers;
      set({ followers: { ...f, data: f.data.filter((x) => x.actor.uri !== actor) } });
      void get().loadFollowers();
      void get().loadStatus();
      return true;
    },
  };
};
