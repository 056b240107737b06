// Delivery progress of an own post (composed now or before: asked of the store), and the
// per-host breakdown of any sent activity.
import { useEffect } from 'react';
import type { DeliveryRowDto, DeliveryState, DeliverySummary } from '../../../shared/dto';
import { useNow } from '../lib/clock';
import { plural } from '../lib/format';
import { clockTime, countdown, relativeTime } from '../lib/time';
import { useStore } from '../store';
import type { DeliveryView } from '../store/compose';
import { Badge, Drawer, Loading, type Tone } from './common';
import { ErrorLine } from './ErrorText';

interface Parts {
  total: number;
  delivered: number;
  pending: number;
  retrying: number;
  parked: number;
  failed: number;
  percent: number;
  done: boolean;
}

function partsOf(d: DeliveryView): Parts {
  const s: DeliverySummary = d.summary;
  const total = Math.max(0, s.total - s.cancelled);
  const retrying = d.inboxes
    ? d.inboxes.filter((r) => (r.state === 'queued' || r.state === 'in_flight') && r.attempts > 0).length
    : 0;
  const waiting = s.queued + s.inFlight;
  const pending = Math.max(0, waiting - retrying);
  const failed = s.failed + s.skipped;
  return {
    total, delivered: s.delivered, pending, retrying: Math.min(retrying, waiting), parked: s.parked, failed,
    percent: total === 0 ? 100 : Math.floor((s.delivered / total) * 100), done: waiting + s.parked === 0,
  };
}

export function DeliveryBar({ noteId, noteUri }: { noteId: string; noteUri: string }) {
  const activityId = useStore((s) => s.activityByNote[noteId]);
  const view = useStore((s) => (activityId ? s.deliveries[activityId] : undefined));
  const open = useStore((s) => s.openDeliveryPanel);
  const want = useStore((s) => s.wantDelivery);
  useEffect(() => {
    if (!activityId) want(noteId, noteUri);
  }, [activityId, noteId, noteUri, want]);
  if (!activityId) return null;
  return <ActivityBar activityId={activityId} view={view} onOpen={() => open(activityId)} />;
}

/** One activity's delivery as a bar with counts; `onOpen` shows the per-host breakdown. */
export function ActivityBar({ activityId, view, onOpen, compact }: { activityId: string; view: DeliveryView | undefined; onOpen: () => void; compact?: boolean }) {
  if (!view) {
    return (
      <div className="delivery delivery-loading" data-testid="delivery-bar" data-activity={activityId} aria-busy="true">
        <div className="delivery-track"><span className="seg seg-pending" style={{ width: '100%' }} /></div>
        <div className="delivery-line muted small">Preparing delivery…</div>
      </div>
    );
  }
  const p = partsOf(view);
  if (p.total === 0) {
    return (
      <div className="delivery delivery-none muted small" data-testid="delivery-bar" data-activity={activityId} data-percent="100">
        {compact ? 'Nobody to deliver to' : 'Saved. No remote inboxes to deliver to (nobody follows you yet, or no one is addressed).'}
      </div>
    );
  }
  const pct = (n: number) => `${(n / p.total) * 100}%`;
  const label = `Delivered to ${p.delivered} of ${plural(p.total, 'inbox', 'inboxes')}`;
  return (
    <button
      type="button"
      className="delivery"
      data-testid="delivery-bar"
      data-activity={activityId}
      data-percent={p.percent}
      data-done={p.done}
      onClick={onOpen}
      aria-label={`${label} (${p.percent} %). Show the per-host breakdown`}
    >
      <div className="delivery-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p.percent} aria-valuetext={`${label}`}>
        <span className="seg seg-delivered" style={{ width: pct(p.delivered) }} />
        <span className="seg seg-pending" style={{ width: pct(p.pending) }} />
        <span className="seg seg-retrying" style={{ width: pct(p.retrying) }} />
        <span className="seg seg-parked" style={{ width: pct(p.parked) }} />
        <span className="seg seg-failed" style={{ width: pct(p.failed) }} />
      </div>
      <div className="delivery-line small">
        <span className="delivery-main">{label}</span>
        <span className="delivery-pct tabular">{p.percent} %</span>
        {p.pending > 0 && <span className="chip chip-pending">{p.pending} queued</span>}
        {p.retrying > 0 && <span className="chip chip-retrying">{p.retrying} retrying</span>}
        {p.parked > 0 && <span className="chip chip-parked">{p.parked} waiting for host</span>}
        {p.failed > 0 && <span className="chip chip-failed">{p.failed} failed</span>}
        {!compact && <span className="delivery-more muted">Details</span>}
      </div>
    </button>
  );
}

const STATE_LABEL: Record<DeliveryState, [string, Tone]> = {
  delivered: ['Delivered', 'good'],
  queued: ['Queued', 'info'],
  in_flight: ['Sending', 'info'],
  parked: ['Parked', 'warn'],
  failed: ['Failed', 'bad'],
  skipped: ['Skipped', 'muted'],
  cancelled: ['Cancelled', 'muted'],
};
const STATE_ORDER: DeliveryState[] = ['in_flight', 'queued', 'parked', 'failed', 'skipped', 'delivered', 'cancelled'];

function rowState(r: DeliveryRowDto): [string, Tone] {
  if (r.state === 'queued' && r.attempts > 0) return ['Retrying', 'warn'];
  return STATE_LABEL[r.state];
}

function NextAttempt({ at }: { at: number }) {
  const now = useNow(1000);
  if (at <= now) return <span className="muted">due now</span>;
  return <span className="tabular" title={clockTime(at)}>in {countdown(at - now)}</span>;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** When the row last changed or will be tried next, as fits its state. */
function When({ r, now }: { r: DeliveryRowDto; now: number }) {
  switch (r.state) {
    case 'queued':
      return r.nextAttemptAt ? <NextAttempt at={r.nextAttemptAt} /> : <span className="muted">soon</span>;
    case 'in_flight':
      return <span className="muted">sending…</span>;
    case 'parked':
      return <span className="muted" title="Sent once the host's backoff ends (or it is resumed)">after backoff</span>;
    default:
      return <span className="muted" title={clockTime(r.updatedAt)}>{relativeTime(r.updatedAt, now)}</span>;
  }
}

/** The per-host breakdown of the post whose panel is open. */
export function DeliveryPanel() {
  const panel = useStore((s) => s.deliveryPanel);
  const view = useStore((s) => (panel ? s.deliveries[panel.activityId] : undefined));
  const close = useStore((s) => s.openDeliveryPanel);
  const now = useNow(60_000);
  if (!panel) return null;
  const p = view ? partsOf(view) : null;
  const rows = view?.inboxes ? [...view.inboxes].sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.host.localeCompare(b.host)) : null;
  return (
    <Drawer
      title={panel.title}
      labelId="delivery-panel-title"
      subtitle={p ? `${p.delivered} of ${plural(p.total, 'inbox', 'inboxes')} delivered · ${p.percent} %` : undefined}
      onClose={() => close(null)}
    >
      {p && (
        <div className="mini-tiles">
          <div><span className="tile-num tabular">{p.delivered}</span><span className="muted small">delivered</span></div>
          <div><span className="tile-num tabular">{p.pending}</span><span className="muted small">queued</span></div>
          <div><span className="tile-num tabular">{p.retrying}</span><span className="muted small">retrying</span></div>
          <div><span className="tile-num tabular">{p.parked}</span><span className="muted small">waiting</span></div>
          <div><span className="tile-num tabular">{p.failed}</span><span className="muted small">failed</span></div>
        </div>
      )}
      {view?.error && <p className="inline-error" role="alert">{view.error}</p>}
      {!rows ? (
        <Loading label="Loading the inboxes…" />
      ) : rows.length === 0 ? (
        <p className="muted">No remote inboxes: nobody to deliver this post to.</p>
      ) : (
        <div className="table-wrap">
          <table className="table compact" data-testid="delivery-inboxes">
            <thead>
              <tr><th>Host</th><th>State</th><th className="num">Attempts</th><th>Last error</th><th>When</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const [label, tone] = rowState(r);
                return (
                  <tr key={r.inbox}>
                    <td><div className="cell-strong nowrap">{r.host}</div><div className="muted small ellipsis" title={r.inbox}>{pathOf(r.inbox)}</div></td>
                    <td><Badge tone={tone} title={r.state === 'parked' ? 'Waiting for its host to recover (backing off or suspended)' : undefined}>{label}</Badge></td>
                    <td className="num tabular">{r.attempts}</td>
                    <td className="small error-cell">
                      {r.lastError ? <ErrorLine className="error-text clamp-2" error={r.lastError} />
                        : r.lastStatus ? <span className="muted">HTTP {r.lastStatus}</span> : <span className="muted">—</span>}
                    </td>
                    <td className="small nowrap"><When r={r} now={now} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Drawer>
  );
}
