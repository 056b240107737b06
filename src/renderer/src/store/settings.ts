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
  uploadAvatar(data: string, mediaType: AvatarMediaType): Promise<SettingsDto>;
  removeAvatar(): Promise<SettingsDto>;
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
    uploadAvatar: async (data, mediaType) => saved(await api().uploadAvatar({ data, mediaType })),
    removeAvatar: async () => saved(await api().removeAvatar({})),
  };
};
