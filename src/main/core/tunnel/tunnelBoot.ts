// Starting with a tunnel: its URL is the identity, so the tunnel comes up first (bounded
// wait) and the instance then starts under that URL — asking for the pinned subdomain
// when the instance has federated before. Used by headless --tunnel and by the desktop
// app when the tunnel was on when it last ran.
import { join } from 'node:path';
import type { Logger } from '../logger';
import { freePort } from '../http/httpUtil';
import { openDatabase } from '../store/database';
import { DATABASE_FILE, hasDatabase } from '../store/dataFolder';
import { pinnedOrigin } from '../federation/federationGate';
import { loadStoredSettings, type StoredSettings } from '../settings';
import { subdomainOf } from './identityGuard';
import { TunnelClient, isOnline, waitForTunnelState, type TunnelClientOptions } from './tunnelClient';
import { DEFAULT_TUNNEL } from '../config';

/** What the data folder says before the instance opens it: the pinned origin and the saved settings. */
export function readBootState(dataDir: string): { pinned: string | null; settings: StoredSettings | null } {
  // An empty file is not opened: that would give it a schema, and the instance's start
  // must still see it empty (it refuses to make a new identity beside an old one).
  if (!hasDatabase(dataDir)) return { pinned: null, settings: null };
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  try {
    return { pinned: pinnedOrigin(db), settings: loadStoredSettings(db) };
  } finally {
    db.close();
  }
}

export interface TunnelFirst {
  client: TunnelClient;
  /** The tunnel's origin, or null when it did not come up in time (it keeps trying). */
  origin: string | null;
  pinned: string | null;
  port: number;
}

/** Starts the tunnel towards `port` on 127.0.0.1 and waits (bounded) for its URL. */
export async function startTunnelFirst(opts: {
  dataDir: string; port: number; host?: string; subdomain?: string; log: Logger; waitMs?: number; client?: Partial<TunnelClientOptions>;
}): Promise<TunnelFirst> {
  const { pinned } = readBootState(opts.dataDir);
  const port = opts.port === 0 ? await freePort() : opts.port;
  const subdomain = opts.subdomain ?? (pinned ? subdomainOf(pinned) ?? undefined : undefined);
  const client = new TunnelClient({
    localPort: port, localHost: '127.0.0.1', host: opts.host ?? DEFAULT_TUNNEL.host, subdomain, log: opts.log, ...opts.client,
  });
  void client.start();
  const waitMs = opts.waitMs ?? DEFAULT_TUNNEL.bootWaitMs;
  try {
    const online = await waitForTunnelState(client, isOnline, waitMs);
    return { client, origin: new URL(online.url).origin, pinned, port };
  } catch {
    const s = client.state;
    opts.log.warn(`tunnel: not online after ${waitMs / 1000} s (${s.status === 'reconnecting' ? s.lastError : s.status}); still trying`);
    return { client, origin: null, pinned, port };
  }
}
