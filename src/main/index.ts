// The Electron entry: one window, one Instance, the admin API over IPC.
import { app, BrowserWindow, ipcMain, shell, session } from 'electron';
import { join } from 'node:path';
import { Instance } from './core/instance';
import { stderrLogger } from './core/logger';
import { DEFAULT_PUBLIC_PORT, DEFAULT_USERNAME } from './core/config';
import { createAdminHandlers } from './admin/adminService';
import { forwardEventsToWindow, registerAdminIpc } from './admin/ipcTransport';

const log = stderrLogger();
let instance: Instance | undefined;
let window: BrowserWindow | undefined;

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Outpost',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // External links open in the OS browser (http/https only); the window never navigates away.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

async function boot(): Promise<void> {
  const dataDir = app.getPath('userData');
  const port = Number(process.env.OUTPOST_PORT ?? DEFAULT_PUBLIC_PORT);
  instance = new Instance({
    dataDir,
    port,
    publicUrl: process.env.OUTPOST_PUBLIC_URL ?? `http://localhost:${port}`,
    username: process.env.OUTPOST_USERNAME ?? DEFAULT_USERNAME,
    log,
  });
  await instance.start();
  const handlers = createAdminHandlers(instance, { adminUrl: null, dataDir });
  registerAdminIpc(ipcMain, handlers);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  window = createWindow();
  const stopEvents = forwardEventsToWindow(instance.events, (channel, payload) => window?.webContents.send(channel, payload));
  window.on('closed', () => {
    stopEvents();
    window = undefined;
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.whenReady().then(boot).catch((err) => {
    log.error(`could not start: ${err instanceof Error ? err.stack : String(err)}`);
    app.exit(1);
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !instance) return;
    event.preventDefault();
    quitting = true;
    instance.stop().finally(() => app.quit());
  });
}
