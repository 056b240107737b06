// Settings: profile, switches, delivery tunables, avatar.
import type { SettingsUpdate } from '../../../shared/adminApi';
import type { AvatarMediaType, SettingsDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { remote, type Remote, type Slice } from './types';

export interface SettingsSlice {
  settings: Remote<SettingsDto | null>;
  loadSettings(): Promise<void>;
  /** Saves and returns the new settings; throws what the instance said (shown by the form). */
  saveSettings(update: SettingsUpdate): Promise<SettingsDto>;
  uploadProfileImage(which: 'avatar' | 'header', data: string, mediaType: AvatarMediaType): Promise<SettingsDto>;
  removeProfileImage(which: 'avatar' | 'header'): Promise<SettingsDto>;
}

export const createSettingsSlice: Slice<SettingsSlice> = (set, get) => {
  const saved = (s: SettingsDto) => {
    set({ settings: { data: s, status: 'ready', error: null } });
    void get().loadStatus();
    return s;
  };
  return {
    settings: remote(null),
    async loadSettings() {
      if (!get().settings.data) set({ settings: { data: null, status: 'loading', error: null } });
      try {
        saved(await api().settings({}));
      } catch (err) {
        const cur = get().settings;
        set({ settings: { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(err) } });
      }
    },
    saveSettings: async (update) => saved(await api().updateSettings(update)),
    uploadProfileImage: async (which, data, mediaType) =>
      saved(await (which === 'avatar' ? api().uploadAvatar({ data, mediaType }) : api().uploadHeader({ data, mediaType }))),
    removeProfileImage: async (which) => saved(await (which === 'avatar' ? api().removeAvatar({}) : api().removeHeader({}))),
  };
};
