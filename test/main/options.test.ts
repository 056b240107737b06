import { describe, expect, it } from 'vitest';
import { OptionsError, USAGE, parseHeadlessArgs } from '../../src/main/options';
import { defaultDataDir } from '../../src/main/core/paths';

function fails(argv: string[]): string {
  try {
    parseHeadlessArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseHeadlessArgs', () => {
  it('has a default for every flag', () => {
    expect(parseHeadlessArgs([])).toEqual({
      dataDir: defaultDataDir(),
      port: 8737,
      adminPort: 8738,
      publicUrl: 'http://localhost:8737',
      username: 'me',
      allowPrivateNetwork: false,
      tunnel: false,
      publicUrlGiven: false,
    });
  });

  it('takes each flag', () => {
    expect(parseHeadlessArgs([
      '--data-dir', '/tmp/outpost-x', '--port', '9000', '--admin-port', '9001',
      '--public-url', 'https://social.example', '--username', 'alice_1', '--allow-private-network', '--new-identity',
    ])).toEqual({
      dataDir: '/tmp/outpost-x', port: 9000, adminPort: 9001, publicUrl: 'https://social.example', username: 'alice_1', allowPrivateNetwork: true,
      newIdentity: true, tunnel: false, publicUrlGiven: true,
    });
    expect(parseHeadlessArgs(['--tunnel', '--tunnel-host', 'https://tunnel.example.org/', '--subdomain', 'quiet-fox'])).toMatchObject({
      tunnel: true, tunnelHost: 'https://tunnel.example.org', subdomain: 'quiet-fox', publicUrlGiven: false,
    });
  });

  it('accepts --flag=value', () => {
    expect(parseHeadlessArgs(['--port=1234', '--username=bob']).port).toBe(1234);
  });

  it('derives the default public URL from --port', () => {
    expect(parseHeadlessArgs(['--port', '4000']).publicUrl).toBe('http://localhost:4000');
  });

  it('normalises the public URL to its origin', () => {
    expect(parseHeadlessArgs(['--public-url', 'HTTPS://Social.Example:443/']).publicUrl).toBe('https://social.example');
    expect(parseHeadlessArgs(['--public-url', 'http://127.0.0.1:8080']).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('lets the OS pick the admin port with 0', () => {
    expect(parseHeadlessArgs(['--admin-port', '0']).adminPort).toBe(0);
  });

  it('rejects bad ports, naming the flag', () => {
    for (const bad of ['abc', '-1', '65536', '80.5', '', ' 80', '0x50', '1e3', '99999999']) {
      expect(fails([`--port=${bad}`]), JSON.stringify(bad)).toMatch(/^--port: ".*" is not a port number/);
      expect(fails([`--admin-port=${bad}`]), JSON.stringify(bad)).toMatch(/^--admin-port: ".*" is not a port number/);
    }
    expect(fails(['--port', '-1'])).toMatch(/--port/); // parsed as a flag: still refused
    // The public port goes into the public URL: 0 is not a port there.
    expect(fails(['--port', '0'])).toMatch(/^--port: "0" is not a port number/);
  });

  it('rejects a public URL that is not a URL or not http(s)', () => {
    expect(fails(['--public-url', 'social.example'])).toBe('--public-url: "social.example" is not a URL');
    expect(fails(['--public-url', 'ftp://social.example'])).toBe('--public-url must be http(s)');
  });

  it('rejects a public URL with a path, query, fragment or credentials', () => {
    for (const url of ['https://social.example/outpost', 'https://social.example/?a=1', 'https://social.example/#x']) {
      expect(fails(['--public-url', url]), url).toBe('--public-url must be an origin, without a path');
    }
    expect(fails(['--public-url', 'https://user:pw@social.example'])).toMatch(/--public-url must not contain credentials/);
  });

  it('rejects bad usernames', () => {
    for (const bad of ['', 'a b', 'ab-c', 'x'.repeat(31), 'é']) expect(fails(['--username', bad])).toMatch(/^--username:/);
  });

  it('rejects an empty data dir', () => {
    expect(fails(['--data-dir', ''])).toMatch(/--data-dir/);
  });

  it('rejects unknown flags and positional arguments', () => {
    expect(fails(['--prot', '80'])).toMatch(/--prot/);
    expect(fails(['serve'])).toMatch(/serve/);
    expect(fails(['--port'])).toMatch(/--port/);
  });

  it('checks the tunnel flags with clear messages', () => {
    expect(fails(['--subdomain', 'quiet-fox'])).toContain('need --tunnel');
    expect(fails(['--tunnel', '--tunnel-host', 'x.example'])).toContain('must be an http(s) origin');
    expect(fails(['--tunnel', '--tunnel-host', 'https://x.example/path'])).toContain('must be an http(s) origin');
    expect(fails(['--tunnel', '--subdomain', 'Me!'])).toContain('not a usable subdomain');
  });

  it('answers --help with an empty OptionsError (usage, exit 0)', () => {
    expect(fails(['--help'])).toBe('');
    expect(fails(['-h'])).toBe('');
    expect(USAGE).toContain('--public-url');
  });
});
