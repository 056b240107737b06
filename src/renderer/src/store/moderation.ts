// Blocks, mutes and domain blocks (Settings → Moderation, a post's menu), and reports.
import type { BlocksDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { remote, type Remote, type Slice } from './types';

export type ModerationAction = 'block' | 'unblock' | 'mute' | 'unmute';

export interface ModerationSlice {
  blocks: Remote<BlocksDto>;
  loadBlocks(): Promise<void>;
  /** Blocks, unblocks, mutes or unmutes an account (handle or actor URI); throws what the instance said. */
  moderate(action: ModerationAction, handle: string): Promise<void>;
  blockDomain(domain: string): Promise<void>;
  unblockDomain(domain: string): Promise<void>;
  report(handle: string, noteIds: string[], comment: string): Promise<void>;
}

const EMPTY: BlocksDto = { accounts: [], mutes: [], domains: [] };

export const createModerationSlice: Slice<ModerationSlice> = (set, get) => {
  /** The new lists, and the timeline and notifications without what was just hidden. */
  const changed = (lists: BlocksDto) => {
    set({ blocks: { data: lists, status: 'ready', error: null } });
    void get().refreshTimeline();
    void get().loadNotifications();
    void get().loadStatus();
  };
  return {
    blocks: remote(EMPTY),
    async loadBlocks() {
      if (get().blocks.status !== 'ready') set({ blocks: { ...get().blocks, status: 'loading' } });
      try {
        set({ blocks: { data: await api().blocks({}), status: 'ready', error: null } });
      } catch (err) {
        set({ blocks: { ...get().blocks, status: 'error', error: errorMessage(err) } });
      }
    },
    moderate: async (action, handle) => changed(await api()[action]({ handle })),
    blockDomain: async (domain) => changed(await api().blockDomain({ domain })),
    unblockDomain: async (domain) => changed(await api().unblockDomain({ domain })),
    async report(handle, noteIds, comment) {
      await api().report({ handle, noteIds, ...(comment.trim() ? { comment: comment.trim() } : {}) });
    },
  };
};
