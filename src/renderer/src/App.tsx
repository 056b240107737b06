// The window: a sidebar with the views and a status footer, banners, the current view.
import { lazy, Suspense, useEffect, useState } from 'react';
import { client } from './client';
import { Avatar } from './components/common';
import { DeliveryPanel } from './components/DeliveryBar';
import { Icon, type IconName } from './components/Icon';
import { TunnelFooterPill } from './components/Tunnel';
import { atHandle, formatCompact } from './lib/format';
import { ScrollContext } from './lib/scroll';
import { startLiveUpdates } from './live';
import { useStore, type ViewName } from './store';
import { HomeView } from './views/HomeView';
import { HostsView } from './views/HostsView';
import { NotificationsView } from './views/NotificationsView';
import { PeopleView } from './views/PeopleView';
import { ProfileView } from './views/ProfileView';
import { SettingsView } from './views/SettingsView';
import { ThreadView } from './views/ThreadView';
import { SearchView } from './views/SearchView';
import { TagView } from './views/TagView';
import { BookmarksView } from './views/BookmarksView';
import { Shortcuts } from './components/Shortcuts';

// The dashboard (and uPlot, its charts) loads when first opened, not with the window.
const DashboardView = lazy(() => import('./views/DashboardView').then((m) => ({ default: m.DashboardView })));

const NAV: { view: ViewName; label: string; icon: IconName }[] = [
  { view: 'home', label: 'Home', icon: 'home' },
  { view: 'notifications', label: 'Notifications', icon: 'bell' },
  { view: 'search', label: 'Search', icon: 'search' },
  { view: 'bookmarks', label: 'Bookmarks', icon: 'bookmark' },
  { view: 'people', label: 'People', icon: 'people' },
  { view: 'dashboard', label: 'Delivery', icon: 'chart' },
  { view: 'hosts', label: 'Hosts', icon: 'server' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

function NavBadge({ view }: { view: ViewName }) {
  const n = useStore((s) => {
    switch (view) {
      case 'notifications': return s.notifications.items.filter((x) => x.at > s.notificationsSeenAt).length;
      case 'people': return s.status?.counts.pendingFollowers ?? 0;
      case 'hosts': return (s.queue?.hostsBackingOff ?? 0) + (s.queue?.hostsUnreachable ?? 0);
      default: return 0;
    }
  });
  if (!n) return null;
  const label = view === 'notifications' ? `${n} new` : view === 'people' ? `${n} waiting for approval` : `${n} with problems`;
  return <span className={`nav-badge ${view === 'hosts' ? 'warn' : ''}`} aria-label={label}>{n > 99 ? '99+' : n}</span>;
}

function StatusFooter() {
  const status = useStore((s) => s.status);
  const settings = useStore((s) => s.settings.data);
  const queue = useStore((s) => s.queue);
  const connected = useStore((s) => s.connected);
  if (!status) return <div className="sidebar-footer" />;
  const waiting = queue ? queue.queued + queue.inFlight : null;
  return (
    <div className="sidebar-footer" data-testid="status-footer">
      <a className="me" href="#/profile" title="Your profile" aria-label={`Your profile, ${status.displayName || status.username}`} data-testid="me-link">
        <Avatar src={settings?.avatarSrc ?? null} name={status.displayName || status.username} size={32} />
        <div className="me-text">
          <div className="me-name ellipsis" dir="auto">{status.displayName || status.username}</div>
          <div className="me-handle muted small ellipsis" title={atHandle(status.handle)}>{atHandle(status.handle)}</div>
        </div>
      </a>
      <div className="footer-status small">
        <span className="muted" title="Deliveries queued or being sent">
          Queue <strong className="tabular" data-testid="queue-depth">{waiting === null ? '—' : formatCompact(waiting)}</strong>
          {queue && queue.parked > 0 && <span className="muted"> · {formatCompact(queue.parked)} parked</span>}
        </span>
        <span className="footer-badges">
          {queue?.offline && <span className="pill pill-warn" title="No server answers: delivery is paused until one does">No answer</span>}
          {queue?.paused && <span className="pill pill-bad" title="Delivery is held: federation is off">Paused</span>}
          {!connected && <span className="pill pill-warn" title="Live updates are interrupted; reconnecting">Reconnecting</span>}
          <TunnelFooterPill />
        </span>
      </div>
    </div>
  );
}

function Banners() {
  const status = useStore((s) => s.status);
  if (!status) return null;
  const storage = status.storage;
  return (
    <>
      {!status.federation.enabled && (
        <div className="banner banner-bad app-banner" role="alert" data-testid="federation-banner">
          <Icon name="alert" />
          <div><strong>Federation is off.</strong> {status.federation.reason ?? 'This instance must not federate right now.'}</div>
        </div>
      )}
      {(storage.state === 'full' || storage.state === 'damaged') && (
        <div className="banner banner-bad app-banner" role="alert" data-testid="storage-banner">
          <Icon name="alert" />
          <div><strong>{storage.state === 'full' ? 'The disk is full.' : 'The database is damaged.'}</strong> {storage.message}</div>
        </div>
      )}
    </>
  );
}

function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismissToast);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span className="toast-text">
            <span>{t.message}</span>
            {t.detail && <details className="error-detail small"><summary>Details</summary><code>{t.detail}</code></details>}
          </span>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}><Icon name="close" size={14} /></button>
        </div>
      ))}
    </div>
  );
}

function CurrentView({ view }: { view: ViewName }) {
  switch (view) {
    case 'home': return <HomeView />;
    case 'notifications': return <NotificationsView />;
    case 'people': return <PeopleView />;
    case 'profile': return <ProfileView />;
    case 'dashboard': return (
      <Suspense fallback={<div className="splash-inline"><span className="spinner" aria-hidden="true" /> Loading…</div>}>
        <DashboardView />
      </Suspense>
    );
    case 'hosts': return <HostsView />;
    case 'settings': return <SettingsView />;
    case 'thread': return <ThreadView />;
    case 'search': return <SearchView />;
    case 'tag': return <TagView />;
    case 'bookmarks': return <BookmarksView />;
  }
}

function Shell() {
  const view = useStore((s) => s.view);
  const routeArg = useStore((s) => s.routeArg);
  const status = useStore((s) => s.status);
  const statusState = useStore((s) => s.statusState);
  const statusError = useStore((s) => s.statusError);
  // A state setter is a stable ref callback: the scroll container is known once, no loops.
  const [scroller, setScroller] = useState<HTMLElement | null>(null);

  useEffect(() => {
    const s = useStore.getState();
    void s.loadStatus();
    void s.loadQueue();
    void s.loadNotifications();
    void s.loadSettings();
    void s.loadTunnel();
    const stop = startLiveUpdates();
    const onHash = () => useStore.getState().syncRoute();
    window.addEventListener('hashchange', onHash);
    window.addEventListener('popstate', onHash);
    return () => {
      stop();
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('popstate', onHash);
    };
  }, []);

  useEffect(() => {
    scroller?.scrollTo({ top: 0 });
  }, [view, routeArg, scroller]);

  if (!status && statusState === 'error') {
    return (
      <main className="splash" role="alert">
        <h1>Outpost</h1>
        <p>Could not reach the instance: {statusError}</p>
        <button type="button" className="btn" onClick={() => void useStore.getState().loadStatus()}>Try again</button>
      </main>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <nav className="sidebar" aria-label="Views">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true"><Icon name="tunnel" size={18} /></span>
          <span className="brand-name">Outpost</span>
        </div>
        <ul className="nav">
          {NAV.map((n) => (
            <li key={n.view}>
              <a href={`#/${n.view}`} className="nav-item" aria-current={view === n.view ? 'page' : undefined} data-view={n.view}>
                <Icon name={n.icon} size={18} />
                <span className="nav-label">{n.label}</span>
                <NavBadge view={n.view} />
              </a>
            </li>
          ))}
        </ul>
        <StatusFooter />
      </nav>
      <main
        id="main"
        className="main"
        tabIndex={-1}
        ref={setScroller}
      >
        <Banners />
        <ScrollContext.Provider value={scroller}>
          {status ? <CurrentView view={view} /> : <div className="splash-inline"><span className="spinner" aria-hidden="true" /> Connecting…</div>}
        </ScrollContext.Provider>
      </main>
      <DeliveryPanel />
      <Shortcuts />
      <Toasts />
    </div>
  );
}

export function App() {
  if (!client) {
    return (
      <main className="splash">
        <h1>Outpost</h1>
        <p>Open this page with the link the headless instance printed: it carries the admin token.</p>
        <p className="muted small">It looks like <span className="mono">http://127.0.0.1:8738/#token=…</span></p>
      </main>
    );
  }
  return <Shell />;
}
