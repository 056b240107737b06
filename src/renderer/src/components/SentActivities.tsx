// The delivery dashboard's "Recently sent": every activity the instance sent — posts,
// likes, boosts, deletes, profile updates, follows… — with its delivery bar, from the store
// (so it survives reloads and restarts) and live from 'delivery' events. A row opens the
// per-host breakdown.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SentActivityDto } from '../../../shared/people';
import { api } from '../client';
import { throttle } from '../lib/throttle';
import { useLiveEvents } from '../lib/useLiveEvent';
import { useStore } from '../store';
import { ActivityBar } from './DeliveryBar';
import { RelativeTime } from './common';
import { ErrorText } from './ErrorText';

const PAGE = 10;

const LABELS: Record<string, string> = {
  Create: 'Post', Like: 'Like', Announce: 'Boost', Delete: 'Delete', Update: 'Profile update', Follow: 'Follow',
  Undo: 'Undo', Accept: 'Accepted a follower', Reject: 'Removed a follower', Block: 'Block', Flag: 'Report', Move: 'Move',
};

export function activityLabel(a: SentActivityDto): string {
  if (a.type === 'Update' && a.objectText !== null) return 'Edit';
  return LABELS[a.type] ?? a.type;
}

export function SentActivitiesCard() {
  const deliveries = useStore((s) => s.deliveries);
  const applySent = useStore((s) => s.applySent);
  const open = useStore((s) => s.openDeliveryPanel);
  const [list, setList] = useState<{ items: SentActivityDto[]; next: string | null; error: unknown; loading: boolean }>({ items: [], next: null, error: null, loading: true });

  const load = useCallback(async (more: boolean) => {
    try {
      const page = await api().sentActivities({ limit: PAGE, ...(more && list.next ? { before: list.next } : {}) });
      applySent(page.activities);
      setList((cur) => ({ items: more ? [...cur.items, ...page.activities] : page.activities, next: page.next, error: null, loading: false }));
    } catch (err) {
      setList((cur) => ({ ...cur, error: err, loading: false }));
    }
  }, [applySent, list.next]);

  const refresh = useMemo(() => throttle(() => void load(false), 2000), [load]);
  useEffect(() => {
    void load(false);
    return () => refresh.cancel();
  }, []); // first page once; live events refresh it
  useLiveEvents(['delivery'], (_name, data) => {
    const summary = data as { activityId: string };
    if (!list.items.some((a) => a.activityId === summary.activityId)) refresh();
  });

  return (
    <section className="card sent-card" aria-labelledby="sent-title" data-testid="sent-activities">
      <header className="chart-head">
        <h2 id="sent-title" className="card-title">Recently sent</h2>
        <span className="muted small">posts, likes, boosts, deletes and profile updates, as far as they got</span>
      </header>
      {list.error ? <p className="inline-error small"><ErrorText error={list.error} /></p> : null}
      {!list.loading && list.items.length === 0 && !list.error && <p className="muted small sent-empty">Nothing sent yet.</p>}
      <ul className="sent-list">
        {list.items.map((a) => {
          const label = activityLabel(a);
          return (
            <li key={a.activityId} className="sent-row" data-type={a.type}>
              <div className="sent-what">
                <span className="sent-type">{label}</span>
                <span className="muted small ellipsis" dir="auto" title={a.objectUri ?? undefined}>{a.objectText ?? a.objectUri ?? ''}</span>
                <RelativeTime at={a.createdAt} className="muted small nowrap" />
              </div>
              <ActivityBar
                activityId={a.activityId} compact
                view={deliveries[a.activityId] ?? { summary: a.summary, inboxes: null, error: null }}
                onOpen={() => open(a.activityId, `Delivery of this ${label.toLowerCase()}`)}
              />
            </li>
          );
        })}
      </ul>
      {list.next && (
        <div className="load-more"><button type="button" className="btn btn-small" onClick={() => void load(true)}>Show older</button></div>
      )}
    </section>
  );
}
