// Delivery dashboard: live queue tiles, banners, and uPlot charts of the metrics rollups
// (queue depth, delivery rate, failures by error class, latency percentiles).
import { useEffect, useMemo, type ReactNode } from 'react';
import { SentActivitiesCard } from '../components/SentActivities';
import uPlot from 'uplot';
import type { MetricsDto, MetricsRange, QueueStatsDto } from '../../../shared/dto';
import { METRICS_RANGES } from '../../../shared/dto';
import { isBacklogged } from '../../../shared/constants';
import { axisStyle, Chart, type ChartTheme } from '../components/Chart';
import { ErrorState, Loading, PageHeader, Segmented } from '../components/common';
import { Icon } from '../components/Icon';
import { errorClassLabel, formatCompact, formatInt } from '../lib/format';
import { throttle } from '../lib/throttle';
import { formatDuration } from '../lib/time';
import { useLiveEvents } from '../lib/useLiveEvent';
import { useStore } from '../store';

/** Queued deliveries above which the backlog banner shows. */
const LIVE_REFRESH_MS = 5000;
const TIMER_REFRESH_MS = 60_000;
const MAX_CLASSES = 6;

const RANGE_LABEL: Record<MetricsRange, string> = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' };

function Tile({ label, value, tone, hint, testId }: { label: string; value: number | null; tone?: string; hint?: string; testId: string }) {
  return (
    <div className={`tile ${tone ?? ''}`} data-testid={testId}>
      <span className="tile-label">{label}</span>
      <span className="tile-num tabular">{value === null ? '—' : formatCompact(value)}</span>
      <span className="tile-hint muted small">{hint ?? '\u00a0'}</span>
    </div>
  );
}

export function QueueBanners({ queue }: { queue: QueueStatsDto | null }) {
  if (!queue) return null;
  return (
    <>
      {queue.offline && (
        <div className="banner banner-warn" role="status" data-testid="offline-banner">
          <Icon name="offline" />
          <div><strong>No server answers.</strong> None of the servers Outpost reached recently accepts a connection, and nothing shows whether this computer's network or those servers are at fault, so delivery is paused. Nothing is lost: it resumes as soon as a server answers.</div>
        </div>
      )}
      {isBacklogged(queue) && (
        <div className="banner banner-warn" role="status" data-testid="backlog-banner">
          <Icon name="alert" />
          <div>
            <strong>Delivery backlog: {formatInt(queue.queued + queue.parked)} deliveries are waiting.</strong>{' '}
            {queue.parked > 0 && <>{formatInt(queue.parked)} of them wait for hosts that are down (see Hosts). </>}
            The rest go out as fast as the concurrency caps allow; raise them in Settings if this machine and connection can take more.
          </div>
        </div>
      )}
    </>
  );
}

interface Prepared {
  x: number[];
  queue: uPlot.AlignedData;
  rate: uPlot.AlignedData;
  failures: { data: uPlot.AlignedData; classes: string[]; raw: number[][]; total: number };
  latency: uPlot.AlignedData;
  totals: { attempts: number; delivered: number; failed: number; latencySumMs: number; retried: number };
  hasLatency: boolean;
}

function prepare(m: MetricsDto): Prepared {
  const pts = m.points;
  const x = pts.map((p) => p.t / 1000);
  const perMin = m.stepMs / 60_000;
  const byClass = new Map<string, number>();
  for (const p of pts) for (const [k, n] of Object.entries(p.errors)) byClass.set(k, (byClass.get(k) ?? 0) + n);
  const ranked = [...byClass.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const top = ranked.slice(0, MAX_CLASSES);
  const rest = new Set(ranked.slice(MAX_CLASSES));
  const classes = rest.size > 0 ? [...top, 'more'] : top;
  const raw = classes.map((c) => pts.map((p) => (c === 'more' ? [...rest].reduce((s, k) => s + (p.errors[k] ?? 0), 0) : p.errors[c] ?? 0)));
  // Stacked: series i is the sum of classes 0..i; drawn largest first so each shows its band.
  const cumulative = raw.map((_, i) => pts.map((__, j) => raw.slice(0, i + 1).reduce((s, r) => s + r[j]!, 0)));
  const totals = { attempts: 0, delivered: 0, failed: 0, latencySumMs: 0, retried: 0 };
  for (const p of pts) {
    totals.attempts += p.attempts;
    totals.delivered += p.delivered;
    totals.failed += p.failed;
    totals.latencySumMs += p.latencySumMs;
    totals.retried += p.retried;
  }
  return {
    x,
    queue: [x, pts.map((p) => p.queued ?? 0), pts.map((p) => p.inFlight ?? 0), pts.map((p) => p.parked ?? 0)],
    rate: [x, pts.map((p) => p.delivered / perMin), pts.map((p) => p.retried / perMin), pts.map((p) => p.failed / perMin)],
    failures: { data: classes.length > 0 ? [x, ...[...cumulative].reverse()] : [x, pts.map(() => 0)], classes, raw, total: [...byClass.values()].reduce((a, b) => a + b, 0) },
    latency: [x, pts.map((p) => p.latencyP50Ms), pts.map((p) => p.latencyP90Ms), pts.map((p) => p.latencyP99Ms)],
    totals,
    hasLatency: pts.some((p) => p.latencyP50Ms !== null),
  };
}

/** The last non-null value of a series (what the legend shows while the cursor is away). */
function latest(values: ArrayLike<number | null | undefined>): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** Point markers only where a series has few values. */
const sparsePoints = (u: uPlot, sidx: number): boolean => {
  const values = u.data[sidx] ?? [];
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) n++;
  return n < 30;
};

const fmtNum = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? formatInt(v) : v.toFixed(v < 10 ? 2 : 1));

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** The x series: its legend cell reads "Latest" until the cursor points at a time. */
function timeSeries(range: MetricsRange): uPlot.Series {
  return { label: '', value: (_u, v) => (v === null || v === undefined ? 'Latest' : (range === '7d' ? dayTimeFmt : timeFmt).format(v * 1000)) };
}

function baseOptions(theme: ChartTheme, yLabel: (v: number) => string): Omit<uPlot.Options, 'width' | 'height' | 'series'> {
  return {
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      axisStyle(theme, { space: 60 }),
      axisStyle(theme, { size: 52, values: (_u, splits) => splits.map((v) => yLabel(v)) }),
    ],
  };
}

function line(label: string, color: string, fill = false, fmt: (v: number) => string = (v) => fmtNum(v)): uPlot.Series {
  return {
    label, stroke: color, width: 1.5, fill: fill ? `${color}22` : undefined, points: { show: false },
    value: (u, v, sidx, idx) => {
      const shown = idx === null || idx === undefined ? latest(u.data[sidx] ?? []) : v;
      return shown === null || shown === undefined ? '—' : fmt(shown);
    },
  };
}

function ChartCard({ title, subtitle, children, empty, testId }: { title: string; subtitle?: string; children: ReactNode; empty?: string | null; testId: string }) {
  return (
    <section className="card chart-card" data-testid={testId}>
      <header className="chart-head">
        <h2 className="card-title">{title}</h2>
        {subtitle && <span className="muted small">{subtitle}</span>}
      </header>
      <div className="chart-body">
        {children}
        {empty && <div className="chart-empty muted small">{empty}</div>}
      </div>
    </section>
  );
}

export function DashboardView() {
  const queue = useStore((s) => s.queue);
  const range = useStore((s) => s.metricsRange);
  const metrics = useStore((s) => s.metrics[s.metricsRange]);
  const status = useStore((s) => s.metricsStatus);
  const error = useStore((s) => s.metricsError);
  const setRange = useStore((s) => s.setMetricsRange);
  const loadMetrics = useStore((s) => s.loadMetrics);
  const loadQueue = useStore((s) => s.loadQueue);

  const liveRefresh = useMemo(() => throttle(() => useStore.getState().loadMetrics(), LIVE_REFRESH_MS), []);
  useEffect(() => {
    void loadMetrics();
    void loadQueue();
    const t = setInterval(() => void loadMetrics(), TIMER_REFRESH_MS);
    return () => {
      clearInterval(t);
      liveRefresh.cancel();
    };
  }, [loadMetrics, loadQueue, liveRefresh]);
  useLiveEvents(['queue', 'delivery'], () => liveRefresh());

  const prepared = useMemo(() => (metrics ? prepare(metrics) : null), [metrics]);
  const perLabel = range === '1h' ? 'per minute' : `per minute, averaged over ${formatDuration(metrics?.stepMs ?? 60_000)}`;

  return (
    <div className="page page-wide">
      <PageHeader
        title="Delivery"
        subtitle="How your posts travel to other servers."
        actions={<Segmented label="Time range" value={range} onChange={setRange} options={METRICS_RANGES.map((r) => ({ value: r, label: r }))} />}
      />
      <QueueBanners queue={queue} />
      <div className="tiles">
        <Tile testId="tile-queued" label="Queued" value={queue?.queued ?? null} hint="waiting to be sent" />
        <Tile testId="tile-inflight" label="In flight" value={queue?.inFlight ?? null} hint="being sent now" />
        <Tile testId="tile-parked" label="Parked" value={queue?.parked ?? null} tone={queue?.parked ? 'tone-warn' : ''} hint="host backing off" />
        <Tile testId="tile-delivered" label="Delivered" value={queue?.delivered ?? null} tone="tone-good" hint="all time" />
        <Tile testId="tile-failed" label="Failed" value={queue?.failed ?? null} tone={queue?.failed ? 'tone-bad' : ''} hint="gave up" />
        <Tile
          testId="tile-backoff" label="Backing off" value={queue?.hostsBackingOff ?? null} tone={queue?.hostsBackingOff ? 'tone-warn' : ''}
          hint={queue?.hostsUnreachable ? `${queue.hostsUnreachable} unreachable` : undefined}
        />
      </div>
      {status === 'error' && !metrics ? (
        <ErrorState title="Could not load the metrics" message={error ?? ''} onRetry={() => void loadMetrics()} />
      ) : !prepared || !metrics ? (
        <Loading label="Loading metrics…" />
      ) : (
        <>
          <div className="range-summary muted small" aria-live="off">
            <span>{RANGE_LABEL[range]}:</span>
            <span><strong className="tabular">{formatInt(prepared.totals.attempts)}</strong> attempts</span>
            <span><strong className="tabular">{formatInt(prepared.totals.delivered)}</strong> delivered</span>
            <span><strong className="tabular">{formatInt(prepared.totals.retried)}</strong> retried</span>
            <span><strong className="tabular">{formatInt(prepared.totals.failed)}</strong> failed</span>
            {prepared.totals.attempts > 0 && (
              <span>average latency <strong className="tabular">{formatDuration(prepared.totals.latencySumMs / prepared.totals.attempts)}</strong></span>
            )}
          </div>
          <div className="charts">
            <ChartCard title="Queue depth" subtitle="deliveries waiting" testId="chart-queue">
              <Chart
                label="Queue depth over time"
                shapeKey={`queue-${range}`}
                data={prepared.queue}
                options={(t) => ({
                  ...baseOptions(t, formatCompact),
                  series: [timeSeries(range), line('Queued', t.series[0]!, true), line('In flight', t.series[1]!), line('Parked', t.series[2]!)],
                })}
              />
            </ChartCard>
            <ChartCard title="Delivery rate" subtitle={perLabel} testId="chart-rate">
              <Chart
                label="Deliveries per minute over time"
                shapeKey={`rate-${range}`}
                data={prepared.rate}
                options={(t) => ({
                  ...baseOptions(t, fmtNum),
                  series: [timeSeries(range), line('Delivered', t.series[1]!, true), line('Retried', t.series[2]!), line('Failed', t.series[3]!)],
                })}
              />
            </ChartCard>
            <ChartCard
              title="Failures by error class"
              subtitle="failed attempts per step, stacked"
              testId="chart-failures"
              empty={prepared.failures.total === 0 ? 'No failed attempts in this range.' : null}
            >
              <Chart
                label="Failed attempts by error class over time"
                shapeKey={`fail-${range}-${prepared.failures.classes.join(',')}`}
                data={prepared.failures.data}
                options={(t) => {
                  const { classes, raw } = prepared.failures;
                  const palette = [t.series[3]!, t.series[2]!, t.series[4]!, t.series[5]!, t.series[6]!, t.series[0]!, t.series[7]!];
                  const bars = uPlot.paths.bars!({ size: [0.7, 24], gap: 1 });
                  // Series are drawn largest (all classes) first; index back into the raw counts.
                  const series: uPlot.Series[] = classes.map((_c, k) => {
                    const i = classes.length - 1 - k;
                    const cls = classes[i]!;
                    const color = palette[i % palette.length]!;
                    return {
                      label: cls === 'more' ? 'Other classes' : errorClassLabel(cls), stroke: color, fill: color, width: 0, paths: bars,
                      points: { show: false }, value: (_u, _v, _s, idx) => fmtNum(raw[i]![idx ?? raw[i]!.length - 1] ?? 0),
                    };
                  });
                  return {
                    ...baseOptions(t, fmtNum),
                    series: [timeSeries(range), ...(series.length > 0 ? series : [line('Failures', t.series[3]!)])],
                  };
                }}
              />
            </ChartCard>
            <ChartCard
              title="Latency"
              subtitle="attempt duration percentiles"
              testId="chart-latency"
              empty={prepared.hasLatency ? null : 'No delivery attempts in this range.'}
            >
              <Chart
                label="Delivery latency percentiles over time"
                shapeKey={`lat-${range}`}
                data={prepared.latency}
                options={(t) => ({
                  ...baseOptions(t, (v) => formatDuration(v)),
                  series: [
                    timeSeries(range),
                    // Steps without attempts have no latency: join across them, and mark each value
                    // while values are few (an isolated one would not show otherwise).
                    { ...line('p50', t.series[1]!, false, formatDuration), spanGaps: true, points: { show: sparsePoints, size: 4 } },
                    { ...line('p90', t.series[2]!, false, formatDuration), spanGaps: true, points: { show: sparsePoints, size: 4 } },
                    { ...line('p99', t.series[3]!, false, formatDuration), spanGaps: true, points: { show: sparsePoints, size: 4 } },
                  ],
                })}
              />
            </ChartCard>
          </div>
        </>
      )}
      <SentActivitiesCard />
    </div>
  );
}
