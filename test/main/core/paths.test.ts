import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../src/main/core/paths';

describe('defaultDataDir', () => {
  it('linux: $XDG_CONFIG_HOME/Outpost, else ~/.config/Outpost', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/Outpost');
    expect(defaultDataDir('linux', { HOME: '/home/u' })).toBe('/home/u/.config/Outpost');
  });

  it('linux: ignores an empty or relative XDG_CONFIG_HOME, as the XDG spec says', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '', HOME: '/home/u' })).toBe('/home/u/.config/Outpost');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: 'rel/dir', HOME: '/home/u' })).toBe('/home/u/.config/Outpost');
  });

  it('other unixes follow the linux rule', () => {
    expect(defaultDataDir('freebsd', { HOME: '/usr/home/u' })).toBe('/usr/home/u/.config/Outpost');
  });

  it('darwin: ~/Library/Application Support/Outpost, whatever XDG says', () => {
    expect(defaultDataDir('darwin', { HOME: '/Users/u', XDG_CONFIG_HOME: '/xdg' })).toBe('/Users/u/Library/Application Support/Outpost');
  });

  it('win32: %APPDATA%\\Outpost with backslashes, else the profile’s AppData\\Roaming', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Outpost');
    expect(defaultDataDir('win32', { USERPROFILE: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Outpost');
    expect(defaultDataDir('win32', { APPDATA: '', USERPROFILE: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Outpost');
  });

  it('falls back to the OS home directory without HOME', () => {
    expect(defaultDataDir('linux', {})).toBe(`${homedir()}/.config/Outpost`);
  });

  it('defaults to this process’s platform and environment', () => {
    expect(defaultDataDir()).toBe(defaultDataDir(process.platform, process.env));
  });
});
