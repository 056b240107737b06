// Feeds the store from the instance's live events. The server already throttles events to
// a few per second per kind; refetches here run at most once a second.
import { client, subscribe } from './client';
import { throttle } from './lib/throttle';
import { useStore } from './store';

const REFETCH_MIN_MS = 1000;
const STATUS_REFRESH_MS = 60_000;

export function startLiveUpdates(): () => void {
  const s = useStore.getState;
  const refreshTimeline = throttle(() => s().refreshTimeline(), REFETCH_MIN_MS);
  const refreshNotifications = throttle(() => s().loadNotifications(), REFETCH_MIN_MS);
  const refreshFollowers = throttle(() => s().followers.status === 'ready' && s().loadFollowers(), REFETCH_MIN_MS);
  const refreshStatus = throttle(() => s().loadStatus(), REFETCH_MIN_MS);
  // Posts composed in this session: their per-inbox rows (retry counts, errors) follow the
  // summaries, fetched at most once a second per post.
  const progressRefreshers = new Map<string, ReturnType<typeof throttle>>();
  const refreshProgress = (activityId: string) => {
    let t = progressRefreshers.get(activityId);
    if (!t) {
      t = throttle(() => s().loadDeliveryProgress(activityId), REFETCH_MIN_MS);
      progressRefreshers.set(activityId, t);
    }
    t();
  };
  const mine = (activityId: string) => Object.values(s().activityByNote).includes(activityId);

  const offs = [
    subscribe('queue', (q) => s().setQueue(q)),
    subscribe('delivery', (summary) => {
      s().applyDeliverySummary(summary);
      if (mine(summary.activityId)) refreshProgress(summary.activityId);
    }),
    subscribe('timeline', () => {
      if (s().timeline.status === 'ready') refreshTimeline();
      refreshStatus();
    }),
    subscribe('follows', (f) => {
      if (f.direction === 'following') {
        if (s().following.status === 'ready') void s().loadFollowing();
      } else refreshFollowers();
      refreshStatus();
    }),
    // The whole status rides on the event; the federation banner follows through the status.
    subscribe('storage', () => refreshStatus()),
    subscribe('tunnel', (t) => {
      s().applyTunnel(t);
      refreshStatus();
    }),
    subscribe('notification', () => {
      refreshNotifications();
      refreshFollowers();
      refreshStatus();
    }),
  ];

  // After the event stream was broken, anything may have changed: fetch what is shown again.
  const offConnection = client?.onConnection?.((connected) => {
    const wasDown = !s().connected;
    s().setConnected(connected);
    if (connected && wasDown) resync();
  });

  const timer = setInterval(() => {
    void s().loadStatus();
    void s().loadQueue();
  }, STATUS_REFRESH_MS);

  return () => {
    for (const off of offs) off();
    offConnection?.();
    clearInterval(timer);
    for (const t of [refreshTimeline, refreshNotifications, refreshFollowers, refreshStatus, ...progressRefreshers.values()]) t.cancel();
  };
}

/** Refetches everything that has been loaded. */
export function resync(): void {
  const s = useStore.getState();
  void s.loadStatus();
  void s.loadQueue();
  if (s.timeline.status === 'ready') void s.refreshTimeline();
  void s.loadNotifications();
  void s.loadTunnel();
  if (s.followers.status === 'ready') void s.loadFollowers();
  if (s.following.status === 'ready') void s.loadFollowing();
  if (s.hosts.status === 'ready') void s.loadHosts();
  if (s.openHost) void s.loadHostDetail();
  if (s.metricsStatus === 'ready') void s.loadMetrics();
  for (const activityId of Object.values(s.activityByNote)) {
    if (s.deliveries[activityId]) void s.loadDeliveryProgress(activityId);
  }
}
