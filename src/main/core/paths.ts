import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * The OS's app-data folder for Outpost (the same place Electron's userData points to).
 * Pure in `platform` and `env`: paths use that platform's separators, and an empty or
 * relative XDG_CONFIG_HOME is ignored (XDG Base Directory spec), as is an empty APPDATA.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') {
    const home = env.USERPROFILE || homedir();
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Outpost');
  }
  const home = env.HOME || homedir();
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Outpost');
  const xdg = env.XDG_CONFIG_HOME;
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config'), 'Outpost');
}
