// The tunnel: its status (one fetch on load, then the 'tunnel' events), start and stop.
import type { AdminMethods } from '../../../shared/adminApi';
import type { TunnelStatusDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import { remote, type Remote, type Slice } from './types';

export type TunnelAction = 'start' | 'stop';

export interface TunnelSlice {
  tunnel: Remote<TunnelStatusDto | null>;
  loadTunnel(): Promise<void>;
  /** A 'tunnel' event: the instance's latest status. */
  applyTunnel(t: TunnelStatusDto): void;
  /** The start or stop under way (buttons disable meanwhile). */
  tunnelBusy: TunnelAction | null;
  /** Starts (or reconnects with new fields); throws what the instance said (shown by the form). */
  startTunnel(params: AdminMethods['tunnelStart']['params']): Promise<void>;
  stopTunnel(): Promise<void>;
}

/**
 * Events and RPC answers travel on different connections, so an answer may arrive after an
 * event that is newer than it. Every event bumps this; an answer that crossed an event is
 * not trusted, and one fresh tunnelStatus decides instead.
 */
let eventSeq = 0;

export const createTunnelSlice: Slice<TunnelSlice> = (set, get) => {
  const ready = (data: TunnelStatusDto) => set({ tunnel: { data, status: 'ready', error: null } });

  /** Applies an RPC answer unless an event came in meanwhile (then refetches once). */
  const settle = async (seq: number, answer: TunnelStatusDto) => {
    if (eventSeq === seq) return ready(answer);
    const again = eventSeq;
    try {
      const fresh = await api().tunnelStatus({});
      if (eventSeq === again) ready(fresh);
    } catch {
      // The events keep the shown state current.
    }
  };

  const act = async (action: TunnelAction, call: () => Promise<TunnelStatusDto>) => {
    set({ tunnelBusy: action });
    const seq = eventSeq;
    try {
      await settle(seq, await call());
    } finally {
      set({ tunnelBusy: null });
    }
  };

  return {
    tunnel: remote(null),
    async loadTunnel() {
      const cur = get().tunnel;
      if (!cur.data) set({ tunnel: { ...cur, status: 'loading', error: null } });
      const seq = eventSeq;
      try {
        const data = await api().tunnelStatus({});
        if (eventSeq === seq || !get().tunnel.data) ready(data);
      } catch (err) {
        const now = get().tunnel;
        set({ tunnel: { ...now, status: now.data ? 'ready' : 'error', error: errorMessage(err) } });
      }
    },
    applyTunnel(t) {
      eventSeq++;
      ready(t);
    },
    tunnelBusy: null,
    startTunnel: (params) => act('start', () => api().tunnelStart(params)),
    stopTunnel: () => act('stop', () => api().tunnelStop({})),
  };
};
