// Remote hosts: the list, the drawer's detail, and retry/suspend/resume.
import type { HostDetailDto, HostDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { remote, type Remote, type Slice } from './types';

export type HostAction = 'retry' | 'suspend' | 'resume';

export interface HostsSlice {
  hosts: Remote<HostDto[]>;
  loadHosts(): Promise<void>;
  openHost: string | null;
  hostDetail: Remote<HostDetailDto | null>;
  setOpenHost(host: string | null): void;
  loadHostDetail(): Promise<void>;
  /** Hosts with an action under way (buttons disable meanwhile). */
  hostBusy: Record<string, HostAction>;
  hostAction(host: string, action: HostAction): Promise<void>;
}

export const createHostsSlice: Slice<HostsSlice> = (set, get) => ({
  hosts: remote([]),
  async loadHosts() {
    const cur = get().hosts;
    if (cur.status !== 'ready') set({ hosts: { ...cur, status: 'loading', error: null } });
    try {
      set({ hosts: { data: await api().hosts({}), status: 'ready', error: null } });
    } catch (err) {
      const now = get().hosts;
      set({ hosts: { ...now, status: now.status === 'ready' ? 'ready' : 'error', error: errorMessage(err) } });
    }
  },

  openHost: null,
  hostDetail: remote(null),
  setOpenHost(host) {
    if (host === get().openHost) return;
    set({ openHost: host, hostDetail: remote(null) });
    if (host) void get().loadHostDetail();
  },
  async loadHostDetail() {
    const host = get().openHost;
    if (!host) return;
    if (get().hostDetail.status !== 'ready') set({ hostDetail: { data: null, status: 'loading', error: null } });
    try {
      const data = await api().host({ host });
      if (get().openHost === host) set({ hostDetail: { data, status: 'ready', error: null } });
    } catch (err) {
      if (get().openHost !== host) return;
      const now = get().hostDetail;
      set({ hostDetail: { ...now, status: now.data ? 'ready' : 'error', error: errorMessage(err) } });
    }
  },

  hostBusy: {},
  async hostAction(host, action) {
    set({ hostBusy: { ...get().hostBusy, [host]: action } });
    try {
      const method = action === 'retry' ? 'retryHost' : action === 'suspend' ? 'suspendHost' : 'resumeHost';
      const updated = await api()[method]({ host });
      const hosts = get().hosts;
      set({ hosts: { ...hosts, data: hosts.data.map((h) => (h.host === host ? updated : h)) } });
      const detail = get().hostDetail.data;
      if (detail && detail.host === host) set({ hostDetail: { ...get().hostDetail, data: { ...detail, ...updated } } });
      if (action === 'retry') get().toast(`Retrying ${host} now`, 'info');
    } catch (err) {
      get().toast(`Could not ${action} ${host}: ${errorMessage(err)}`);
    } finally {
      const busy = { ...get().hostBusy };
      delete busy[host];
      set({ hostBusy: busy });
    }
  },
});
