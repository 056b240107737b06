// Delivery metrics for the dashboard, per range.
import type { MetricsDto, MetricsRange } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage } from '../lib/format';
import type { LoadStatus, Slice } from './types';

export interface MetricsSlice {
  metricsRange: MetricsRange;
  metrics: Partial<Record<MetricsRange, MetricsDto>>;
  metricsStatus: LoadStatus;
  metricsError: string | null;
  setMetricsRange(range: MetricsRange): void;
  loadMetrics(): Promise<void>;
}

export const createMetricsSlice: Slice<MetricsSlice> = (set, get) => ({
  metricsRange: '1h',
  metrics: {},
  metricsStatus: 'idle',
  metricsError: null,
  setMetricsRange(range) {
    set({ metricsRange: range });
    void get().loadMetrics();
  },
  async loadMetrics() {
    const range = get().metricsRange;
    if (!get().metrics[range]) set({ metricsStatus: 'loading', metricsError: null });
    try {
      const data = await api().metrics({ range });
      set({ metrics: { ...get().metrics, [range]: data }, metricsStatus: 'ready', metricsError: null });
    } catch (err) {
      set({ metricsStatus: get().metrics[range] ? 'ready' : 'error', metricsError: errorMessage(err) });
    }
  },
});
