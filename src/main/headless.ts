// Outpost without Electron: the same Instance, its admin API on loopback HTTP, and the
// renderer bundle served on the admin port for a browser. Prints one JSON ready line.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Instance } from './core/instance';
import { stderrLogger } from './core/logger';
import { closeServer, listen } from './core/http/httpUtil';
import { createAdminHandlers } from './admin/adminService';
import { createAdminServer } from './admin/httpTransport';
import { loadAdminToken } from './adminToken';
import { OptionsError, parseHeadlessArgs, USAGE, type HeadlessOptions } from './options';
import { TunnelClient, isOnline, waitForTunnelState, type TunnelClientOptions } from './core/tunnel/tunnelClient';
import { subdomainOf } from './core/tunnel/identityGuard';
import { DEFAULT_TUNNEL_HOST } from './core/tunnel/tunnelConfig';
import { openDatabase } from './core/store/database';
import { pinnedOrigin } from './core/federation/localActor';
import { createServer as createNetServer } from 'node:net';

/** The identity origin pinned in a data folder, if any (before the instance opens it). */
function readPinnedOrigin(dbFile: string): string | null {
  if (!existsSync(dbFile)) return null;
  const db = openDatabase(dbFile);
  try {
    return pinnedOrigin(db);
  } finally {
    db.close();
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface RunningHeadless {
  instance: Instance;
  adminUrl: string;
  token: string;
  stop(): Promise<void>;
}

function rendererDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '../../out/renderer'), join(here, '../renderer')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

/** How long --tunnel waits for the tunnel before starting under the last known URL. */
const TUNNEL_BOOT_WAIT_MS = 30_000;

export async function startHeadless(
  opts: HeadlessOptions, log = stderrLogger(), extra: { tunnelClient?: Partial<TunnelClientOptions> } = {},
): Promise<RunningHeadless> {
  let publicUrl = opts.publicUrl;
  let tunnelClient: TunnelClient | undefined;
  let port = opts.port;
  if (opts.tunnel) {
    // The tunnel's URL is the identity, so it comes up first and the instance starts under it.
    const pinned = readPinnedOrigin(join(opts.dataDir, 'outpost.db'));
    if (port === 0) port = await freeLoopbackPort();
    const subdomain = opts.subdomain ?? (pinned ? subdomainOf(pinned) ?? undefined : undefined);
    tunnelClient = new TunnelClient({
      localPort: port, localHost: '127.0.0.1', host: opts.tunnelHost ?? DEFAULT_TUNNEL_HOST, subdomain, log, ...extra.tunnelClient,
    });
    void tunnelClient.start();
    try {
      const online = await waitForTunnelState(tunnelClient, isOnline, TUNNEL_BOOT_WAIT_MS);
      if (!opts.publicUrlGiven) publicUrl = new URL(online.url).origin;
    } catch {
      const s = tunnelClient.state;
      publicUrl = opts.publicUrlGiven ? opts.publicUrl : (pinned ?? opts.publicUrl);
      log.warn(`tunnel: not online after ${TUNNEL_BOOT_WAIT_MS / 1000} s (${s.status === 'reconnecting' ? s.lastError : s.status}); ` +
        `starting as ${publicUrl} and still trying`);
    }
  }
  const instance = new Instance({
    dataDir: opts.dataDir, publicUrl, port, username: opts.username,
    allowPrivateNetwork: opts.allowPrivateNetwork, log,
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
  const server = createAdminServer({
    handlers, events: instance.events, token, log, rendererDir, metrics: () => instance.metrics.exposition(),
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
  let running: RunningHeadless;
  try {
    running = await startHeadless(opts, log);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log.error(e.code === 'EADDRINUSE' ? `port in use: ${e.message}. Pick others with --port / --admin-port.` : String(e.stack ?? e));
    process.exit(1);
  }
  const { instance, adminUrl } = running;
  process.stdout.write(JSON.stringify({
    event: 'ready', publicUrl: instance.publicUrl, adminUrl, actor: instance.identity.actor, handle: instance.identity.handle,
  }) + '\n');
  log.info(`admin UI: ${adminUrl}/#token=${running.token}`);
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
