// Electron-only pieces of the desktop shell: the tray (queue depth) and OS notifications.
import { Menu, Notification, Tray, nativeImage, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { Instance } from './core/instance';
import type { AdminHandlers } from './admin/adminService';
import { loadStoredSettings } from './core/settings';

export function createTray(resourcesDir: string, instance: Instance, showWindow: () => void, quit: () => void): () => void {
  const icon = nativeImage.createFromPath(join(resourcesDir, 'trayTemplate.png'));
  icon.setTemplateImage(true);
  const tray = new Tray(icon);
  const refresh = () => {
    const q = instance.queue.gauges();
    const stats = `Queue: ${q.queued} waiting · ${q.inFlight} sending · ${q.parked} parked`;
    const net = instance.queue.offline ? 'Offline: delivery paused' : instance.federation.enabled ? 'Federating' : 'Federation paused';
    tray.setToolTip(`Outpost — ${stats}`);
    tray.setContextMenu(Menu.buildFromTemplate([
      { label: `@${instance.identity.handle}`, enabled: false },
      { label: stats, enabled: false },
      { label: net, enabled: false },
      { label: tunnelLabel(instance), enabled: false },
      { type: 'separator' },
      { label: 'Open Outpost', click: showWindow },
      { label: 'Quit', click: quit },
    ]));
  };
  refresh();
  tray.on('click', showWindow);
  let timer: NodeJS.Timeout | undefined;
  // Queue events can come several times a second: the tray needs one update a second at most.
  const onQueue = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      refresh();
    }, 1000);
  };
  instance.events.on('queue', onQueue);
  instance.events.on('host', onQueue);
  instance.events.on('tunnel', onQueue);
  return () => {
    clearTimeout(timer);
    instance.events.off('queue', onQueue);
    instance.events.off('host', onQueue);
    instance.events.off('tunnel', onQueue);
    tray.destroy();
  };
}

function tunnelLabel(instance: Instance): string {
  const t = instance.tunnel.status();
  if (t.identityProblem) return 'Tunnel: address differs from your identity — federation paused';
  switch (t.state.status) {
    case 'off': return 'Tunnel: off';
    case 'connecting': return 'Tunnel: connecting…';
    case 'online': return `Tunnel: ${t.state.url}${t.reachability && !t.reachability.reachable ? ' (not reachable)' : ''}`;
    case 'reconnecting': return `Tunnel: reconnecting (${t.state.lastError})`;
    case 'error': return `Tunnel: ${t.state.reason}`;
  }
}

const NOTIFY: Record<string, (name: string) => string> = {
  follow: (n) => `${n} followed you`,
  follow_request: (n) => `${n} asked to follow you`,
  mention: (n) => `${n} mentioned you`,
  reply: (n) => `${n} replied to you`,
  direct: (n) => `${n} sent you a direct message`,
};

/** Shows new followers, mentions, replies and direct messages as OS notifications (off switch in Settings). */
export function notifyOnEvents(instance: Instance, handlers: AdminHandlers, window: () => BrowserWindow | undefined): () => void {
  let lastSeen = '';
  const onNotification = async ({ type }: { type: string }) => {
    if (!NOTIFY[type] || !Notification.isSupported() || !loadStoredSettings(instance.db).osNotifications) return;
    const page = await handlers.notifications({ limit: 1 });
    const latest = page.notifications[0];
    if (!latest || latest.id === lastSeen || !NOTIFY[latest.type]) return;
    lastSeen = latest.id;
    const body = latest.note ? latest.note.contentHtml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 140) : latest.actor.handle;
    const n = new Notification({ title: NOTIFY[latest.type]!(latest.actor.name || latest.actor.handle), body });
    n.on('click', () => {
      const w = window();
      if (w) {
        if (w.isMinimized()) w.restore();
        w.show();
        w.focus();
      }
    });
    n.show();
  };
  const listener = (e: { type: string }) => void onNotification(e).catch(() => {});
  instance.events.on('notification', listener);
  return () => instance.events.off('notification', listener);
}
