// The open profile: the account, its counts and fields, and its posts page by page.
import type { ProfileLookupDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { adopt, localClock } from '../lib/localChanges';
import type { LoadStatus, Slice } from './types';

export interface ProfileState {
  /** The handle (or URL) the profile was opened with. */
  handle: string | null;
  data: ProfileLookupDto | null;
  status: LoadStatus;
  error: string | null;
  loadingMore: boolean;
  moreError: string | null;
}

export interface ProfileSlice {
  profile: ProfileState;
  loadProfile(handle: string): Promise<void>;
  loadMoreProfile(): Promise<void>;
}

let seq = 0;
const EMPTY: ProfileState = { handle: null, data: null, status: 'idle', error: null, loadingMore: false, moreError: null };

export const createProfileSlice: Slice<ProfileSlice> = (set, get) => ({
  profile: EMPTY,

  async loadProfile(handle) {
    const mine = ++seq;
    const cur = get().profile;
    // Reloading the same profile keeps it on screen; another one starts empty.
    set({ profile: cur.handle === handle && cur.data ? { ...cur, error: null } : { ...EMPTY, handle, status: 'loading' } });
    const since = localClock();
    try {
      const data = await api().profile({ handle });
      if (mine !== seq) return;
      set({ profile: { ...EMPTY, handle, data: { ...data, posts: data.posts.map((n) => adopt(n, since)) }, status: 'ready' } });
    } catch (err) {
      if (mine !== seq) return;
      const now = get().profile;
      set({ profile: { ...now, status: now.data ? 'ready' : 'error', error: errorMessage(err) } });
    }
  },

  async loadMoreProfile() {
    const p = get().profile;
    if (!p.data?.postsNext || p.loadingMore || !p.handle) return;
    const mine = seq;
    set({ profile: { ...p, loadingMore: true, moreError: null } });
    try {
      const page = await api().profile({ handle: p.handle, page: p.data.postsNext });
      if (mine !== seq) return;
      const now = get().profile;
      if (!now.data) return;
      const known = new Set(now.data.posts.map((n) => n.id));
      set({
        profile: {
          ...now, loadingMore: false,
          moreError: page.postsError,
          data: { ...now.data, posts: [...now.data.posts, ...page.posts.filter((n) => !known.has(n.id))], postsNext: page.postsNext },
        },
      });
    } catch (err) {
      if (mine !== seq) return;
      set({ profile: { ...get().profile, loadingMore: false, moreError: errorMessage(err) } });
    }
  },
});
