// Command-line flags of the headless entry (the contract in docs/design: keep them stable).
import { parseArgs } from 'node:util';
import { DEFAULT_ADMIN_PORT, DEFAULT_PUBLIC_PORT, DEFAULT_USERNAME } from './core/config';
import { defaultDataDir } from './core/paths';
import { DEFAULT_TUNNEL_SERVER } from '../shared/constants';
import { validateSubdomain } from './core/tunnel/tunnelClient';

export interface HeadlessOptions {
  dataDir: string;
  port: number;
  adminPort: number;
  publicUrl: string;
  username: string;
  allowPrivateNetwork: boolean;
  /** Start a new identity even where the data folder shows an earlier one (its database missing or empty). */
  newIdentity?: boolean;
  /** Start the tunnel at boot; the public URL then comes from it (unless --public-url is given). */
  tunnel?: boolean;
  tunnelHost?: string;
  subdomain?: string;
  /** Whether --public-url was given (else the default or the tunnel's URL is used). */
  publicUrlGiven?: boolean;
}

export const USAGE = `Usage: npm run headless -- [--data-dir DIR] [--port N] [--admin-port N] [--public-url URL]
                           [--username NAME] [--tunnel] [--tunnel-host URL] [--subdomain S] [--allow-private-network]
                           [--new-identity]
  --data-dir DIR            where the database and admin token live (default: ${defaultDataDir()})
  --port N                  public (federation) port (default: ${DEFAULT_PUBLIC_PORT})
  --admin-port N            admin API and UI port, loopback only (default: ${DEFAULT_ADMIN_PORT})
  --public-url URL          the URL remote servers reach this instance at (default: http://localhost:<port>)
  --username NAME           the local account's name, used on first start (default: ${DEFAULT_USERNAME})
  --tunnel                  expose the public port through localtunnel at start; the public URL is the tunnel's
  --tunnel-host URL         the localtunnel server (default: ${DEFAULT_TUNNEL_SERVER}); run your own for a permanent address
  --subdomain S             the subdomain to ask the tunnel server for (default: the pinned one, if any)
  --allow-private-network   let fetches and deliveries reach loopback/private addresses (tests, LAN)
  --new-identity            start a new account even though the data folder held one whose database is gone`;

export class OptionsError extends Error {}

/** A decimal port number; `min` 0 lets the OS pick a free port (reported once listening). */
function port(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  // Digits only: Number() would also take '', ' 80', '0x50' and '1e3'.
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > 65535) throw new OptionsError(`--${name}: "${value}" is not a port number (${min}-65535)`);
  return n;
}

export function parseHeadlessArgs(argv: string[]): HeadlessOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'admin-port': { type: 'string' },
        'public-url': { type: 'string' },
        username: { type: 'string' },
        'allow-private-network': { type: 'boolean' },
        'new-identity': { type: 'boolean' },
        tunnel: { type: 'boolean' },
        'tunnel-host': { type: 'string' },
        subdomain: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new OptionsError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help) throw new OptionsError('');
  if ((v['tunnel-host'] || v.subdomain) && !v.tunnel) throw new OptionsError('--tunnel-host and --subdomain need --tunnel');
  if (v['tunnel-host'] !== undefined && !/^https?:\/\/[^/\s]+\/?$/i.test(v['tunnel-host'])) {
    throw new OptionsError(`--tunnel-host: "${v['tunnel-host']}" must be an http(s) origin, like https://tunnel.example.org`);
  }
  if (v.subdomain !== undefined) {
    const problem = validateSubdomain(v.subdomain);
    if (problem) throw new OptionsError(`--subdomain: ${problem}`);
  }
  // The public port ends up in the default public URL, so it must be a real one.
  const publicPort = port('port', v.port, DEFAULT_PUBLIC_PORT, 1);
  const username = v.username ?? DEFAULT_USERNAME;
  if (!/^[a-z0-9_]{1,30}$/i.test(username)) throw new OptionsError(`--username: "${username}" must be 1-30 letters, digits or _`);
  const publicUrl = v['public-url'] ?? `http://localhost:${publicPort}`;
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new OptionsError(`--public-url: "${publicUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OptionsError('--public-url must be http(s)');
  if (url.pathname !== '/' || url.search || url.hash) throw new OptionsError('--public-url must be an origin, without a path');
  if (url.username || url.password) throw new OptionsError('--public-url must not contain credentials');
  if (v['data-dir'] !== undefined && v['data-dir'].trim() === '') throw new OptionsError('--data-dir must not be empty');
  return {
    dataDir: v['data-dir'] ?? defaultDataDir(),
    port: publicPort,
    adminPort: port('admin-port', v['admin-port'], DEFAULT_ADMIN_PORT, 0),
    publicUrl: url.origin,
    username,
    allowPrivateNetwork: !!v['allow-private-network'],
    ...(v['new-identity'] ? { newIdentity: true } : {}),
    tunnel: !!v.tunnel,
    ...(v['tunnel-host'] !== undefined ? { tunnelHost: v['tunnel-host'].replace(/\/$/, '') } : {}),
    ...(v.subdomain !== undefined ? { subdomain: v.subdomain } : {}),
    publicUrlGiven: v['public-url'] !== undefined,
  };
}
