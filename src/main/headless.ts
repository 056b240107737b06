// Outpost without Electron: the same Instance, its admin API on loopback HTTP, and the
// production renderer build served on the admin port for a browser. Prints one JSON ready line.
import { fileURLToPath } from 'node:url';
import { Instance, type InstanceOptions } from './core/instance';
import { DataFolderError } from './core/store/dataFolder';
import { stderrLogger } from './core/logger';
import { closeServer, listen } from './core/http/httpUtil';
import { createAdminHandlers } from './admin/adminService';
import { createAdminServer } from './admin/httpTransport';
import { loadAdminToken } from './adminToken';
import { OptionsError, parseHeadlessArgs, USAGE, type HeadlessOptions } from './options';
import type { TunnelClient, TunnelClientOptions } from './core/tunnel/tunnelClient';
import { startTunnelFirst } from './core/tunnel/tunnelBoot';
import { builtRendererDir, prepareAdminUi, type AdminUi } from './adminUi';

export interface RunningHeadless {
  instance: Instance;
  adminUrl: string;
  token: string;
  stop(): Promise<void>;
}

export interface HeadlessExtra {
  tunnelClient?: Partial<TunnelClientOptions>;
  /** What the admin port serves at `/`, looked up per request; default: out/renderer if built (never built here). */
  ui?: () => AdminUi;
  /** Instance options no flag sets (tests: media caps, the private-network allowlist). */
  instance?: Pick<InstanceOptions, 'media' | 'privateNetworkAllowlist'>;
}

export async function startHeadless(
  opts: HeadlessOptions, log = stderrLogger(), extra: HeadlessExtra = {},
): Promise<RunningHeadless> {
  let publicUrl = opts.publicUrl;
  let tunnelClient: TunnelClient | undefined;
  let port = opts.port;
  if (opts.tunnel) {
    const first = await startTunnelFirst({
      dataDir: opts.dataDir, port, host: opts.tunnelHost, subdomain: opts.subdomain, log, client: extra.tunnelClient,
    });
    tunnelClient = first.client;
    port = first.port;
    if (!opts.publicUrlGiven) publicUrl = first.origin ?? first.pinned ?? opts.publicUrl;
  }
  const instance = new Instance({
    dataDir: opts.dataDir, publicUrl, port, username: opts.username,
    allowPrivateNetwork: opts.allowPrivateNetwork, allowNewIdentity: opts.newIdentity, log, ...extra.instance,
    ...(opts.tunnel ? { bindHost: '127.0.0.1', tunnel: { host: opts.tunnelHost, subdomain: opts.subdomain, client: extra.tunnelClient } } : {}),
  });
  try {
    await instance.start();
  } catch (err) {
    await tunnelClient?.stop();
    throw err;
  }
  if (tunnelClient) instance.tunnel.adopt(tunnelClient);
  const token = loadAdminToken(opts.dataDir);
  const adminUrlFor = (port: number) => `http://127.0.0.1:${port}`;
  let adminUrl = adminUrlFor(opts.adminPort);
  const handlers = createAdminHandlers(instance, { get adminUrl() { return adminUrl; }, dataDir: opts.dataDir });
  const ui = extra.ui ?? (() => ({ dir: builtRendererDir() }));
  const server = createAdminServer({
    handlers, events: instance.events, token, log, ui, metrics: () => instance.metrics.exposition(),
    media: (path, range) => instance.mediaRequest(path, range),
  });
  try {
    adminUrl = adminUrlFor(await listen(server, opts.adminPort, '127.0.0.1'));
  } catch (err) {
    await instance.stop();
    throw err;
  }
  return {
    instance, adminUrl, token,
    async stop() {
      await closeServer(server);
      await instance.stop();
    },
  };
}

async function main(): Promise<void> {
  let opts: HeadlessOptions;
  try {
    opts = parseHeadlessArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionsError) {
      if (err.message) process.stderr.write(`outpost: ${err.message}\n\n`);
      process.stderr.write(USAGE + '\n');
      process.exit(err.message ? 2 : 0);
    }
    throw err;
  }
  const log = stderrLogger();
  // The UI is built (or checked fresh) while the instance starts; the ready line waits for both.
  let ui: AdminUi = { unavailable: 'the admin UI is still being built; reload in a moment' };
  let running: RunningHeadless;
  try {
    [running] = await Promise.all([
      startHeadless(opts, log, { ui: () => ui }),
      prepareAdminUi(log).then((prepared) => { ui = prepared; }),
    ]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e instanceof DataFolderError) log.error(e.message);
    else log.error(e.code === 'EADDRINUSE' ? `port in use: ${e.message}. Pick others with --port / --admin-port.` : String(e.stack ?? e));
    process.exit(1);
  }
  const { instance, adminUrl } = running;
  process.stdout.write(JSON.stringify({
    event: 'ready', publicUrl: instance.publicUrl, adminUrl, actor: instance.identity.actor, handle: instance.identity.handle,
  }) + '\n');
  log.info(ui.dir ? `admin UI: ${adminUrl}/#token=${running.token}` : `admin API (no UI): ${adminUrl}, bearer token ${running.token}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    running.stop().then(() => process.exit(0), (err) => {
      log.error(String(err));
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
