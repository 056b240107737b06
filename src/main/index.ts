// The Electron entry: one window, one Instance, the admin API over IPC, a tray with the
// queue depth, OS notifications, and a graceful quit that lets deliveries finish.
import { app, BrowserWindow, dialog, ipcMain, protocol, screen, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Instance } from './core/instance';
import { stderrLogger } from './core/logger';
import { DEFAULT_PUBLIC_PORT, DEFAULT_USERNAME } from './core/config';
import { createAdminHandlers } from './admin/adminService';
import { forwardEventsToWindow, registerAdminIpc } from './admin/ipcTransport';
import { isVisibleOn, loadWindowState, saveWindowState } from './windowState';
import { createTray, notifyOnEvents } from './electronShell';
import { readBootState, startTunnelFirst } from './core/tunnel/tunnelBoot';
import { MEDIA_SCHEME, UI_CONTENT_SECURITY_POLICY, UI_FRAME_POLICY } from '../shared/constants';
import { mediaSchemeResponse } from './mediaProtocol';

// The data folder is the OS app-data folder named "Outpost", the same one headless mode uses.
app.setName('Outpost');
// The window's pictures, video and sound (uploads, the remote media cache) come from the
// instance on this scheme, never from remote servers; stream: video and audio seek (Range).
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true } }]);

const log = stderrLogger();
let instance: Instance | undefined;
let window: BrowserWindow | undefined;
const cleanups: (() => void)[] = [];

const CSP = `${UI_CONTENT_SECURITY_POLICY}; ${UI_FRAME_POLICY}`;

function envPort(): number {
  const raw = process.env.OUTPOST_PORT;
  if (raw === undefined) return DEFAULT_PUBLIC_PORT;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new Error(`OUTPOST_PORT: "${raw}" is not a port number`);
  return Number(raw);
}

function createWindow(dataDir: string): BrowserWindow {
  const saved = loadWindowState(dataDir);
  const placed = isVisibleOn(saved, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    width: saved.width,
    height: saved.height,
    ...(placed ? { x: saved.x, y: saved.y } : {}),
    minWidth: 720,
    minHeight: 480,
    title: 'Outpost',
    show: false,
    icon: join(app.getAppPath(), 'resources', 'icon.png'),
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  let saveTimer: NodeJS.Timeout | undefined;
  const remember = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (win.isDestroyed()) return;
      const b = win.getNormalBounds();
      saveWindowState(dataDir, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
    }, 500);
  };
  win.on('resize', remember);
  win.on('move', remember);
  win.on('close', () => {
    const b = win.getNormalBounds();
    saveWindowState(dataDir, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  });
  void win.loadURL(rendererUrl());
  return win;
}

/** The app's own page: the built index.html, or the dev server's page. */
function rendererUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(__dirname, '../renderer/index.html')).href;
}

/** Admin calls come only from the top frame of the Outpost window, showing the app's own page. */
function isTrustedSender(event: unknown): boolean {
  const { sender, senderFrame } = event as IpcMainInvokeEvent;
  if (!window || window.isDestroyed() || sender !== window.webContents || !senderFrame || senderFrame !== sender.mainFrame) return false;
  const page = new URL(rendererUrl());
  const from = new URL(senderFrame.url);
  return page.protocol === 'file:' ? from.href.split('#')[0] === page.href : from.origin === page.origin;
}

// Every web contents the app ever makes (windows, and anything a page might try to open):
// no new windows (http(s) links open in the OS browser), no navigation, no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

function showWindow(dataDir: string): void {
  if (!window) {
    window = createWindow(dataDir);
    const stopEvents = forwardEventsToWindow(instance!.events, (channel, payload) => window?.webContents.send(channel, payload));
    window.on('closed', () => {
      stopEvents();
      window = undefined;
    });
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

async function boot(): Promise<void> {
  const dataDir = app.getPath('userData');
  const port = envPort();
  let publicUrl = process.env.OUTPOST_PUBLIC_URL ?? `http://localhost:${port}`;
  // The tunnel was on when the app last ran: it comes up first, and its URL is the identity.
  const saved = readBootState(dataDir).settings?.tunnel;
  const first = saved?.enabled && !process.env.OUTPOST_PUBLIC_URL
    ? await startTunnelFirst({ dataDir, port, host: saved.host, subdomain: saved.subdomain, log })
    : undefined;
  if (first) publicUrl = first.origin ?? first.pinned ?? publicUrl;
  instance = new Instance({
    dataDir,
    port,
    publicUrl,
    username: process.env.OUTPOST_USERNAME ?? DEFAULT_USERNAME,
    log,
    ...(first ? { bindHost: '127.0.0.1', tunnel: { host: saved?.host, subdomain: saved?.subdomain } } : {}),
  });
  await instance.start();
  if (first) instance.tunnel.adopt(first.client);
  const handlers = createAdminHandlers(instance, { adminUrl: null, dataDir });
  cleanups.push(registerAdminIpc(ipcMain, handlers, isTrustedSender));
  const inst = instance;
  protocol.handle(MEDIA_SCHEME, (request) =>
    mediaSchemeResponse((path, range) => inst.mediaRequest(path, range), request.url, request.method, request.headers.get('range') ?? undefined));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  // The UI needs no camera, microphone, geolocation or notifications permission from Chromium:
  // requests are refused, and checks (which some APIs make without a request) say no too.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  showWindow(dataDir);
  cleanups.push(createTray(join(app.getAppPath(), 'resources'), instance, () => showWindow(dataDir), () => app.quit()));
  cleanups.push(notifyOnEvents(instance, handlers, () => window));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow(app.getPath('userData')));
  app.whenReady().then(boot).catch((err) => {
    log.error(`could not start: ${err instanceof Error ? err.stack : String(err)}`);
    // Never a silent exit: say why, and where the data is.
    const reason = err instanceof Error ? err.message : String(err);
    dialog.showErrorBox('Outpost could not start', `${reason}\n\nData folder: ${app.getPath('userData')}`);
    app.exit(1);
  });
  // Closing the window keeps the instance running in the tray (followers still get posts);
  // quitting from the tray or the menu stops it.
  app.on('window-all-closed', () => {
    if (!instance) app.quit();
  });
  app.on('activate', () => instance && showWindow(app.getPath('userData')));
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !instance) return;
    event.preventDefault();
    quitting = true;
    log.info('quitting: letting deliveries under way finish');
    for (const c of cleanups.splice(0)) c();
    instance.stop().finally(() => app.quit());
  });
}
