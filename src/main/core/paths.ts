import { homedir } from 'node:os';
import { join } from 'node:path';

/** The OS's app-data folder for Outpost (the same place Electron's userData points to). */
export function defaultDataDir(platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Outpost');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Outpost');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Outpost');
}
