import type { StateCreator } from 'zustand';
import type { SessionSlice } from './session';
import type { TimelineSlice } from './timeline';
import type { ComposeSlice } from './compose';
import type { NotificationsSlice } from './notifications';
import type { PeopleSlice } from './people';
import type { HostsSlice } from './hosts';
import type { MetricsSlice } from './metrics';
import type { SettingsSlice } from './settings';
import type { TunnelSlice } from './tunnel';
import type { ModerationSlice } from './moderation';
import type { ConversationsSlice } from './conversations';
import type { ProfileSlice } from './profile';

export type Store = SessionSlice & TimelineSlice & ComposeSlice & NotificationsSlice & PeopleSlice & HostsSlice & MetricsSlice & SettingsSlice & TunnelSlice & ModerationSlice
  & ConversationsSlice & ProfileSlice;
export type Slice<T> = StateCreator<Store, [], [], T>;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A list fetched from the instance, with its loading state. */
export interface Remote<T> {
  data: T;
  status: LoadStatus;
  error: string | null;
}
export const remote = <T>(data: T): Remote<T> => ({ data, status: 'idle', error: null });
