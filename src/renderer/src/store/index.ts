// The window's state: one zustand store built from slices, fed by the admin API and its events.
import { create } from 'zustand';
import { createSessionSlice } from './session';
import { createTimelineSlice } from './timeline';
import { createComposeSlice } from './compose';
import { createNotificationsSlice } from './notifications';
import { createPeopleSlice } from './people';
import { createHostsSlice } from './hosts';
import { createMetricsSlice } from './metrics';
import { createSettingsSlice } from './settings';
import { createTunnelSlice } from './tunnel';
import { createModerationSlice } from './moderation';
import { createConversationsSlice } from './conversations';
import { createProfileSlice } from './profile';
import type { Store } from './types';

export const useStore = create<Store>()((...a) => ({
  ...createSessionSlice(...a),
  ...createTimelineSlice(...a),
  ...createComposeSlice(...a),
  ...createNotificationsSlice(...a),
  ...createPeopleSlice(...a),
  ...createHostsSlice(...a),
  ...createMetricsSlice(...a),
  ...createSettingsSlice(...a),
  ...createTunnelSlice(...a),
  ...createModerationSlice(...a),
  ...createConversationsSlice(...a),
  ...createProfileSlice(...a),
}));

export type { Store } from './types';
export type { ViewName } from './session';
