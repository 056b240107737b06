// What a tunnel URL means for the identity. (End to end — the mismatch pausing the inbox
// and the queue — needs the Instance wiring; this covers every decision.)
import { describe, expect, it } from 'vitest';
import { checkTunnelIdentity, subdomainOf } from '../../../../src/main/core/tunnel/identityGuard';

describe('checkTunnelIdentity', () => {
  it('before the first federation, the tunnel may set the identity', () => {
    expect(checkTunnelIdentity({ pinnedOrigin: null, tunnelUrl: 'https://quiet-fox.loca.lt', canRepin: true }))
      .toEqual({ kind: 'first-pin', origin: 'https://quiet-fox.loca.lt' });
    expect(checkTunnelIdentity({ pinnedOrigin: null, tunnelUrl: 'https://Quiet-Fox.loca.lt:443/', canRepin: false }))
      .toEqual({ kind: 'first-pin', origin: 'https://quiet-fox.loca.lt' });
  });

  it('the tunnel on the pinned origin is fine (compared as origins)', () => {
    expect(checkTunnelIdentity({ pinnedOrigin: 'https://quiet-fox.loca.lt', tunnelUrl: 'https://QUIET-FOX.loca.lt/', canRepin: false }))
      .toEqual({ kind: 'ok', origin: 'https://quiet-fox.loca.lt' });
  });

  it('subdomain taken: says what happened, that nothing is lost, and to retry; no re-pin once followed', () => {
    const d = checkTunnelIdentity({ pinnedOrigin: 'https://quiet-fox.loca.lt', tunnelUrl: 'https://brave-owl-7.loca.lt', canRepin: false });
    expect(d).toMatchObject({ kind: 'mismatch', pinned: 'https://quiet-fox.loca.lt', got: 'https://brave-owl-7.loca.lt', canRepin: false });
    if (d.kind !== 'mismatch') throw new Error('unreachable');
    expect(d.message).toContain('the subdomain "quiet-fox" is taken');
    expect(d.message).toContain('federation is paused');
    expect(d.message).toContain('503');
    expect(d.message).toContain('Nothing is lost');
    expect(d.message).toContain('Retry to ask for "quiet-fox" again');
    expect(d.message).toContain('not possible while there are followers or follows');
    expect(d.message).not.toContain('re-pin');
  });

  it('offers re-pinning only when the caller says nobody would lose track', () => {
    const d = checkTunnelIdentity({ pinnedOrigin: 'https://quiet-fox.loca.lt', tunnelUrl: 'https://brave-owl-7.loca.lt', canRepin: true });
    expect(d).toMatchObject({ kind: 'mismatch', canRepin: true });
    expect(d.kind === 'mismatch' && d.message).toContain('make https://brave-owl-7.loca.lt the new identity (re-pin)');
  });

  it('server changed: points back at the server that serves the pinned host', () => {
    const d = checkTunnelIdentity({ pinnedOrigin: 'https://quiet-fox.loca.lt', tunnelUrl: 'https://quiet-fox.tunnel.example.org', canRepin: false });
    expect(d).toMatchObject({ kind: 'mismatch', pinned: 'https://quiet-fox.loca.lt', got: 'https://quiet-fox.tunnel.example.org' });
    if (d.kind !== 'mismatch') throw new Error('unreachable');
    expect(d.message).toContain('or tunnel server');
    expect(d.message).toContain('Reconnect to the tunnel server that serves quiet-fox.loca.lt and ask for the subdomain "quiet-fox"');
  });

  it('a pinned non-tunnel origin (an IP, a bare domain) is a mismatch without a subdomain to ask for', () => {
    const d = checkTunnelIdentity({ pinnedOrigin: 'http://127.0.4.1:8080', tunnelUrl: 'https://quiet-fox.loca.lt', canRepin: true });
    expect(d).toMatchObject({ kind: 'mismatch', pinned: 'http://127.0.4.1:8080', canRepin: true });
    expect(d.kind === 'mismatch' && d.message).toContain('Reconnect to the tunnel server that serves 127.0.4.1:8080.');
    // Another scheme or port is another origin.
    expect(checkTunnelIdentity({ pinnedOrigin: 'https://quiet-fox.loca.lt', tunnelUrl: 'http://quiet-fox.loca.lt', canRepin: false }).kind).toBe('mismatch');
  });

  it('a URL that is not http(s) never becomes or matches the identity', () => {
    for (const tunnelUrl of ['not a url', 'ftp://quiet-fox.loca.lt']) {
      expect(checkTunnelIdentity({ pinnedOrigin: null, tunnelUrl, canRepin: true })).toMatchObject({ kind: 'mismatch', canRepin: false, got: tunnelUrl });
    }
  });
});

describe('subdomainOf', () => {
  it('is the first label of a tunnel host', () => {
    expect(subdomainOf('https://quiet-fox-12.loca.lt')).toBe('quiet-fox-12');
    expect(subdomainOf('https://a.b.example.org:8443')).toBe('a');
    expect(subdomainOf('https://example.org')).toBeNull();
    expect(subdomainOf('http://127.0.4.1:8080')).toBeNull();
    expect(subdomainOf('http://[::1]:8080')).toBeNull();
    expect(subdomainOf('nope')).toBeNull();
  });
});
