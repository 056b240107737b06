// Hosts: every remote host with its health, sortable and filterable, with retry/suspend/
// resume, and a drawer with recent attempts and a 14-day availability strip.
import { useEffect, useId, useMemo, useState } from 'react';
import type { HostDetailDto, HostDto, HostState } from '../../../shared/dto';
import { SIGNATURE_SPEC_LABELS } from '../../../shared/federation';
import { Badge, Drawer, EmptyState, ErrorState, Loading, PageHeader, RelativeTime, Segmented, type Tone } from '../components/common';
import { Icon } from '../components/Icon';
import { ErrorLine, ErrorText } from '../components/ErrorText';
import { explainError } from '../../../shared/errorText';
import { useNow } from '../lib/clock';
import { errorClassLabel, formatInt, plural } from '../lib/format';
import { throttle } from '../lib/throttle';
import { clockTime, countdown, formatDuration } from '../lib/time';
import { useLiveEvents } from '../lib/useLiveEvent';
import { useStore } from '../store';

const REFETCH_MIN_MS = 1000;

export const HOST_STATE: Record<HostState, [string, Tone]> = {
  healthy: ['Healthy', 'good'],
  backing_off: ['Backing off', 'warn'],
  unreachable: ['Unreachable', 'bad'],
  suspended: ['Suspended', 'muted'],
};

type SortKey = 'host' | 'state' | 'failures' | 'lastSuccess' | 'nextTry' | 'followers' | 'waiting';
type Filter = 'all' | HostState;
const STATE_RANK: Record<HostState, number> = { unreachable: 0, backing_off: 1, suspended: 2, healthy: 3 };

const SORTERS: Record<SortKey, (a: HostDto, b: HostDto) => number> = {
  host: (a, b) => a.host.localeCompare(b.host),
  state: (a, b) => STATE_RANK[a.state] - STATE_RANK[b.state],
  failures: (a, b) => a.consecutiveFailures - b.consecutiveFailures,
  lastSuccess: (a, b) => (a.lastSuccessAt ?? 0) - (b.lastSuccessAt ?? 0),
  nextTry: (a, b) => (a.backoffUntil ?? Number.MAX_SAFE_INTEGER) - (b.backoffUntil ?? Number.MAX_SAFE_INTEGER),
  followers: (a, b) => a.followers - b.followers,
  waiting: (a, b) => a.queued + a.parked - (b.queued + b.parked),
};

export function Countdown({ until }: { until: number }) {
  const now = useNow(1000);
  if (until <= now) return <span className="muted">probing now…</span>;
  return <span className="tabular countdown" title={`Next try at ${clockTime(until)}`} data-testid="countdown">in {countdown(until - now)}</span>;
}

function HostActions({ h, compact }: { h: HostDto; compact?: boolean }) {
  const busy = useStore((s) => s.hostBusy[h.host]);
  const act = useStore((s) => s.hostAction);
  const canRetry = h.state !== 'healthy' || h.consecutiveFailures > 0 || h.parked > 0;
  const suspended = h.state === 'suspended';
  if (compact) {
    // In the table: icon buttons, named for assistive tech and explained by their tooltips.
    return (
      <div className="row-actions icon-actions" onClick={(e) => e.stopPropagation()}>
        <button
          type="button" className="icon-btn bordered" aria-label="Retry now" disabled={!!busy || !canRetry}
          title={canRetry ? `Retry ${h.host} now` : 'Nothing to retry'} onClick={() => void act(h.host, 'retry')}
        >
          {busy === 'retry' ? <span className="spinner" /> : <Icon name="refresh" size={16} />}
        </button>
        <button
          type="button" className="icon-btn bordered" aria-label={suspended ? 'Resume' : 'Suspend'} disabled={!!busy}
          title={suspended ? `Resume deliveries to ${h.host}` : `Suspend: hold all deliveries to ${h.host}`}
          onClick={() => void act(h.host, suspended ? 'resume' : 'suspend')}
        >
          <Icon name={suspended ? 'play' : 'pause'} size={16} />
        </button>
      </div>
    );
  }
  return (
    <div className="row-actions">
      <button type="button" className="btn" disabled={!!busy || !canRetry} onClick={() => void act(h.host, 'retry')}>
        <Icon name="refresh" size={16} /> {busy === 'retry' ? 'Retrying…' : 'Retry now'}
      </button>
      <button type="button" className="btn" disabled={!!busy} onClick={() => void act(h.host, suspended ? 'resume' : 'suspend')}>
        <Icon name={suspended ? 'play' : 'pause'} size={16} /> {suspended ? 'Resume' : 'Suspend'}
      </button>
    </div>
  );
}

function SortHeader({ k, label, sort, setSort, num, className = '' }: {
  k: SortKey; label: string; sort: { key: SortKey; dir: 1 | -1 }; setSort: (s: { key: SortKey; dir: 1 | -1 }) => void; num?: boolean; className?: string;
}) {
  const active = sort.key === k;
  return (
    <th aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'} className={`${num ? 'num' : ''} ${className}`}>
      <button type="button" className="sort-btn" onClick={() => setSort({ key: k, dir: active ? (sort.dir === 1 ? -1 : 1) : 1 })}>
        {label}
        <span className={`sort-arrow ${active ? 'on' : ''}`} aria-hidden="true">{active && sort.dir === -1 ? '▼' : '▲'}</span>
      </button>
    </th>
  );
}

function DayStrip({ days }: { days: HostDetailDto['days'] }) {
  const fmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return (
    <div className="day-strip-wrap">
      <ol className="day-strip" aria-label="Availability over the last 14 days">
        {days.map((d) => {
          const total = d.successes + d.failures;
          const ratio = total === 0 ? null : d.successes / total;
          const cls = ratio === null ? 'day-none' : ratio === 1 ? 'day-good' : ratio >= 0.5 ? 'day-mixed' : ratio > 0 ? 'day-poor' : 'day-bad';
          const text = total === 0 ? 'no attempts' : `${formatInt(d.successes)} ok, ${formatInt(d.failures)} failed`;
          return (
            <li key={d.day} className={`day ${cls}`} title={`${fmt.format(d.day)}: ${text}`}>
              <span className="visually-hidden">{fmt.format(d.day)}: {text}</span>
            </li>
          );
        })}
      </ol>
      <div className="day-strip-legend muted small">
        <span>14 days ago</span>
        <span className="legend-keys">
          <span><i className="day-key day-good" /> all ok</span>
          <span><i className="day-key day-mixed" /> some failed</span>
          <span><i className="day-key day-bad" /> all failed</span>
          <span><i className="day-key day-none" /> no attempts</span>
        </span>
        <span>today</span>
      </div>
    </div>
  );
}

function HostDrawer() {
  const host = useStore((s) => s.openHost);
  const detail = useStore((s) => s.hostDetail);
  const setOpen = useStore((s) => s.setOpenHost);
  const load = useStore((s) => s.loadHostDetail);
  const listed = useStore((s) => s.hosts.data.find((h) => h.host === host));
  const labelId = useId();
  if (!host) return null;
  const d = detail.data;
  const h: HostDto | undefined = d ?? listed;
  return (
    <Drawer
      title={host}
      labelId={labelId}
      subtitle={h ? <Badge tone={HOST_STATE[h.state][1]}>{HOST_STATE[h.state][0]}</Badge> : undefined}
      onClose={() => setOpen(null)}
    >
      {detail.status === 'error' && !d ? (
        <ErrorState message={detail.error ?? ''} onRetry={() => void load()} />
      ) : !d || !h ? (
        <Loading label="Loading host…" />
      ) : (
        <div className="host-detail" data-testid="host-drawer">
          {h.state === 'backing_off' && h.backoffUntil && (
            <div className="banner banner-warn compact">
              <Icon name="pause" />
              <div>After {plural(h.consecutiveFailures, 'failure')} in a row, deliveries wait. Next try <Countdown until={h.backoffUntil} />.</div>
            </div>
          )}
          {h.state === 'suspended' && (
            <div className="banner banner-info compact"><Icon name="pause" /><div>Suspended: deliveries to this host are held until you resume it.</div></div>
          )}
          <dl className="facts">
            <div><dt>Consecutive failures</dt><dd className="tabular">{h.consecutiveFailures}</dd></div>
            <div><dt>Attempts</dt><dd className="tabular" data-testid="host-attempts">{formatInt(h.attempts)}</dd></div>
            <div><dt>Succeeded</dt><dd className="tabular">{formatInt(h.successes)}</dd></div>
            <div><dt>Failed</dt><dd className="tabular">{formatInt(h.failures)}</dd></div>
            <div><dt>Last success</dt><dd>{h.lastSuccessAt ? <RelativeTime at={h.lastSuccessAt} className="" /> : 'never'}</dd></div>
            <div><dt>Last failure</dt><dd>{h.lastFailureAt ? <RelativeTime at={h.lastFailureAt} className="" /> : 'never'}</dd></div>
            <div><dt>Followers here</dt><dd className="tabular">{formatInt(h.followers)}</dd></div>
            <div><dt>Waiting</dt><dd className="tabular">{formatInt(h.queued)} queued · {formatInt(h.parked)} parked</dd></div>
            <div className="host-signature">
              <dt>Signatures</dt>
              <dd data-testid="host-signature">{d.signature ? <>
                {SIGNATURE_SPEC_LABELS[d.signature.spec]}<span className="muted small">since <RelativeTime at={d.signature.since} className="" /></span>
                {d.signature.lastDoubleKnockAt && <span className="muted small">
                  · {d.signature.lastDoubleKnock === 'switched' ? `switched from ${SIGNATURE_SPEC_LABELS[d.signature.lastDoubleKnockFrom ?? 'rfc9421']} after a 401/400` : 'both specs refused'}
                  {' '}<RelativeTime at={d.signature.lastDoubleKnockAt} className="" />
                </span>}
              </> : 'not signed to yet'}</dd>
            </div>
          </dl>
          {h.lastError && (
            <div className="last-error small" data-testid="host-last-error">
              <Badge tone="bad">{errorClassLabel(h.lastErrorClass ?? 'other')}</Badge> <ErrorText className="error-text" error={h.lastError} />
            </div>
          )}
          <HostActions h={h} />
          <h3 className="section-title">Availability</h3>
          <DayStrip days={d.days} />
          <h3 className="section-title">Recent attempts</h3>
          {d.recentAttempts.length === 0 ? (
            <p className="muted">No attempts yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table compact" data-testid="host-attempts-table">
                <thead><tr><th>Time</th><th>Result</th><th className="num">Latency</th><th>Inbox</th></tr></thead>
                <tbody>
                  {d.recentAttempts.map((a, i) => (
                    <tr key={`${a.at}-${i}`}>
                      <td className="nowrap tabular" title={new Date(a.at).toLocaleString()}>{clockTime(a.at)}</td>
                      <td>
                        {a.errorClass === 'ok' ? <Badge tone="good">{a.status ?? 'ok'}</Badge>
                          : <Badge tone="bad" title={a.error ? `${explainError(a.error).message}\n${a.error}` : undefined}>{a.status ? `${a.status} · ` : ''}{errorClassLabel(a.errorClass)}</Badge>}
                        {a.probe && <span className="marker" title="Probe: the first try after a backoff">probe</span>}
                        {!a.counted && <span className="marker" title="Made while this computer was offline: not counted against the host">not counted</span>}
                      </td>
                      <td className="num tabular">{formatDuration(a.latencyMs)}</td>
                      <td className="small muted ellipsis" title={a.inbox}>{pathOf(a.inbox)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </Drawer>
  );
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

export function HostsView() {
  const hosts = useStore((s) => s.hosts);
  const loadHosts = useStore((s) => s.loadHosts);
  const openHost = useStore((s) => s.openHost);
  const setOpenHost = useStore((s) => s.setOpenHost);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'state', dir: 1 });
  const [filter, setFilter] = useState<Filter>('all');
  const [query, setQuery] = useState('');
  const ids = useId();

  const refresh = useMemo(() => throttle(() => {
    const s = useStore.getState();
    void s.loadHosts();
    if (s.openHost) void s.loadHostDetail();
  }, REFETCH_MIN_MS), []);
  useEffect(() => {
    void loadHosts();
    return () => {
      refresh.cancel();
      useStore.getState().setOpenHost(null);
    };
  }, [loadHosts, refresh]);
  useLiveEvents(['host', 'delivery'], () => refresh());

  const counts = useMemo(() => {
    const c: Record<Filter, number> = { all: hosts.data.length, healthy: 0, backing_off: 0, unreachable: 0, suspended: 0 };
    for (const h of hosts.data) c[h.state]++;
    return c;
  }, [hosts.data]);

  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    const list = hosts.data.filter((h) => (filter === 'all' || h.state === filter) && (!q || h.host.toLowerCase().includes(q) || (h.lastError ?? '').toLowerCase().includes(q)));
    const cmp = SORTERS[sort.key];
    return list.sort((a, b) => cmp(a, b) * sort.dir || a.host.localeCompare(b.host));
  }, [hosts.data, filter, query, sort]);

  const header = { sort, setSort };
  return (
    <div className="page page-wide">
      <PageHeader title="Hosts" subtitle="Every server your instance delivers to, and how it is doing." />
      <div className="list-toolbar">
        <Segmented
          label="Filter by state"
          value={filter}
          onChange={setFilter}
          options={[
            { value: 'all', label: `All · ${counts.all}` },
            { value: 'healthy', label: `Healthy · ${counts.healthy}` },
            { value: 'backing_off', label: `Backing off · ${counts.backing_off}` },
            { value: 'unreachable', label: `Unreachable · ${counts.unreachable}` },
            { value: 'suspended', label: `Suspended · ${counts.suspended}` },
          ]}
        />
        <div className="input-with-icon toolbar-search">
          <Icon name="search" size={16} />
          <label htmlFor={`${ids}-q`} className="visually-hidden">Filter hosts</label>
          <input id={`${ids}-q`} className="input" placeholder="Filter hosts" value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
      </div>
      {hosts.status === 'loading' || hosts.status === 'idle' ? (
        <Loading label="Loading hosts…" />
      ) : hosts.status === 'error' ? (
        <ErrorState title="Could not load hosts" message={hosts.error ?? ''} onRetry={() => void loadHosts()} />
      ) : hosts.data.length === 0 ? (
        <EmptyState icon="server" title="No remote hosts yet">Hosts appear here once your instance has delivered something to them.</EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState icon="search" title="No host matches">Change the filter to see more hosts.</EmptyState>
      ) : (
        <div className="card table-card">
          <div className="table-wrap">
            <table className="table hosts-table" aria-label="Remote hosts">
              <thead>
                <tr>
                  <SortHeader k="host" label="Host" {...header} />
                  <SortHeader k="state" label="State" {...header} />
                  <SortHeader k="failures" label="Failures" num {...header} />
                  <th>Last error</th>
                  <SortHeader k="lastSuccess" label="Last success" className="col-wide" {...header} />
                  <SortHeader k="nextTry" label="Next try" {...header} />
                  <SortHeader k="followers" label="Followers" num className="col-wide" {...header} />
                  <SortHeader k="waiting" label="Waiting" num className="col-mid" {...header} />
                  <th className="col-actions"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((h) => (
                  <tr key={h.host} className={`clickable ${openHost === h.host ? 'selected' : ''}`} data-host={h.host} onClick={() => setOpenHost(h.host)}>
                    <td>
                      <button type="button" className="link-btn cell-strong" onClick={(e) => { e.stopPropagation(); setOpenHost(h.host); }}>
                        {h.host}
                      </button>
                    </td>
                    <td><Badge tone={HOST_STATE[h.state][1]}>{HOST_STATE[h.state][0]}</Badge></td>
                    <td className="num tabular" title={`${formatInt(h.failures)} of ${formatInt(h.attempts)} attempts failed in all`}>
                      <div className={h.consecutiveFailures > 0 ? 'cell-strong' : ''} data-testid="host-failures">{h.consecutiveFailures}</div>
                      <div className="muted small">of <span data-testid="host-attempts">{formatInt(h.attempts)}</span> tries</div>
                    </td>
                    <td className="small last-error-cell">
                      {h.lastError ? (
                        <div title={h.lastError}>
                          <div className={h.consecutiveFailures > 0 ? 'error-class' : 'cell-strong'}>{errorClassLabel(h.lastErrorClass ?? 'other')}</div>
                          <ErrorLine className="muted ellipsis block" error={h.lastError} />
                        </div>
                      ) : <span className="muted">—</span>}
                    </td>
                    <td className="small nowrap col-wide">{h.lastSuccessAt ? <RelativeTime at={h.lastSuccessAt} /> : <span className="muted">never</span>}</td>
                    <td className="small nowrap">{h.backoffUntil ? <Countdown until={h.backoffUntil} /> : <span className="muted">—</span>}</td>
                    <td className="num tabular col-wide">{formatInt(h.followers)}</td>
                    <td className="num tabular col-mid" title={`${h.queued} queued, ${h.parked} parked`}>{formatInt(h.queued + h.parked)}</td>
                    <td className="col-actions"><HostActions h={h} compact /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <HostDrawer />
    </div>
  );
}
