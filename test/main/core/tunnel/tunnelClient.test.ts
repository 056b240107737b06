// The tunnel state machine with a fake localtunnel client and fake timers.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TunnelClient, validateSubdomain, type OpenTunnel, type TunnelClientOptions, type TunnelState } from '../../../../src/main/core/tunnel/tunnelClient';
import { reconnectDelayMs } from '../../../../src/main/core/tunnel/reconnectBackoff';

class FakeTunnel extends EventEmitter {
  closed = false;
  constructor(readonly opts: { port: number; host: string; subdomain?: string }, readonly done: (err?: Error) => void) {
    super();
  }
  close(): void {
    this.closed = true;
    this.emit('close'); // as localtunnel's Tunnel does
  }
  /** Registered and first tunnel socket connected. */
  up(url = 'https://quiet-fox.loca.lt'): void {
    this.done();
    this.emit('url', url);
  }
}

function setup(extra: Partial<TunnelClientOptions> = {}) {
  const tunnels: FakeTunnel[] = [];
  const openTunnel: OpenTunnel = (opts, done) => {
    const t = new FakeTunnel(opts, done);
    tunnels.push(t);
    return t;
  };
  const client = new TunnelClient({
    localPort: 8080, host: 'https://tunnel.example', subdomain: 'quiet-fox', openTunnel, preflight: async () => {}, random: () => 0.5, ...extra,
  });
  const states: TunnelState[] = [];
  client.on('state', (s) => states.push(s));
  const last = () => tunnels[tunnels.length - 1]!;
  return { client, tunnels, states, last };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TunnelClient', () => {
  it('goes off → connecting → online with the URL the server handed out; stop closes it, idempotently', async () => {
    const { client, tunnels, states, last } = setup();
    expect(client.state).toEqual({ status: 'off' });
    await client.start();
    await flush();
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
    expect(last().opts).toEqual({ port: 8080, host: 'https://tunnel.example', subdomain: 'quiet-fox' });
    last().up();
    expect(client.state).toEqual({ status: 'online', url: 'https://quiet-fox.loca.lt', since: 1_000_000 });
    await client.start(); // already on: nothing new
    expect(tunnels).toHaveLength(1);

    await client.stop();
    await client.stop();
    expect(last().closed).toBe(true);
    expect(client.state).toEqual({ status: 'off' });
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online', 'off']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a drop while online reconnects after 1 s, then backs off 2, 4 … up to 60 s, and starts over once online', async () => {
    const { client, tunnels, last } = setup();
    await client.start();
    await flush();
    last().up();
    last().emit('error', new Error('connection refused: 127.0.0.1:4000 (check your firewall settings)'));
    expect(client.state).toEqual({
      status: 'reconnecting', attempt: 1, retryAt: 1_000_000 + 1_000,
      lastError: 'tunnel dropped: connection refused: 127.0.0.1:4000 (check your firewall settings)',
    });
    expect(tunnels[0]!.closed).toBe(true);

    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const s = client.state as Extract<TunnelState, { status: 'reconnecting' }>;
      delays.push(s.retryAt - Date.now());
      await vi.advanceTimersByTimeAsync(s.retryAt - Date.now());
      expect(client.state).toEqual({ status: 'connecting', attempt: s.attempt });
      last().emit('error', new Error('refused'));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(tunnels.slice(0, -1).every((t) => t.closed)).toBe(true);

    await vi.advanceTimersByTimeAsync(60_000);
    last().up();
    expect(client.state.status).toBe('online');
    last().emit('close');
    expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 1, lastError: 'tunnel dropped: the tunnel closed' });
    expect((client.state as { retryAt: number }).retryAt - Date.now()).toBe(1_000);
    await client.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes an attempt that does not come up before its deadline, and retries', async () => {
    const { client, tunnels, last } = setup({ attemptTimeoutMs: 5_000 });
    await client.start();
    await flush();
    last().done(); // registered, but no tunnel socket ever connects
    await vi.advanceTimersByTimeAsync(4_999);
    expect(client.state.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 2, lastError: 'no tunnel within 5 s (tunnel server https://tunnel.example)' });
    expect(tunnels[0]!.closed).toBe(true);
    // The closed client coming up late changes nothing.
    tunnels[0]!.emit('url', 'https://late.loca.lt');
    expect(client.state.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    last().up();
    expect(client.state).toMatchObject({ status: 'online', url: 'https://quiet-fox.loca.lt' });
    await client.stop();
  });

  it('does not start a localtunnel client while the tunnel server does not answer', async () => {
    let reachable = false;
    const { client, tunnels, last } = setup({
      preflight: async () => {
        if (!reachable) throw new Error('getaddrinfo ENOTFOUND tunnel.example');
      },
    });
    await client.start();
    await flush();
    expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 2, lastError: 'tunnel server https://tunnel.example unreachable: getaddrinfo ENOTFOUND tunnel.example' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.state).toMatchObject({ status: 'reconnecting', attempt: 3 });
    expect(tunnels).toHaveLength(0);
    reachable = true;
    await vi.advanceTimersByTimeAsync(2_000);
    last().up();
    expect(client.state.status).toBe('online');
    await client.stop();
  });

  it('a registration error from the client is a failed attempt', async () => {
    const { client, last } = setup();
    await client.start();
    await flush();
    last().done(new Error('localtunnel server returned an error, please try again'));
    expect(client.state).toMatchObject({ status: 'reconnecting', lastError: 'tunnel server refused: localtunnel server returned an error, please try again' });
    await client.stop();
  });

  it('stop while connecting or waiting to retry leaves nothing running and ignores late events', async () => {
    const { client, tunnels, states } = setup();
    await client.start();
    await flush();
    await client.stop();
    expect(tunnels[0]!.closed).toBe(true);
    tunnels[0]!.emit('url', 'https://late.loca.lt');
    tunnels[0]!.emit('error', new Error('late'));
    expect(client.state).toEqual({ status: 'off' });
    expect(vi.getTimerCount()).toBe(0);

    await client.start();
    await flush();
    tunnels[1]!.emit('error', new Error('refused'));
    expect(client.state.status).toBe('reconnecting');
    await client.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(tunnels).toHaveLength(2);
    expect(client.state).toEqual({ status: 'off' });
    expect(states.map((s) => s.status)).toEqual(['connecting', 'off', 'connecting', 'reconnecting', 'off']);
  });

  it('gives up after maxAttempts with a reason; start() tries again', async () => {
    const { client, last, tunnels } = setup({ maxAttempts: 3 });
    await client.start();
    for (let i = 0; i < 3; i++) {
      const s = client.state;
      await vi.advanceTimersByTimeAsync(s.status === 'reconnecting' ? s.retryAt - Date.now() : 0);
      expect(client.state).toEqual({ status: 'connecting', attempt: i + 1 });
      last().emit('error', new Error('refused'));
    }
    expect(client.state).toEqual({ status: 'error', reason: 'gave up after 3 attempts: refused' });
    expect(tunnels).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
    await client.start();
    await flush();
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
    await client.stop();
  });

  it('refuses options the tunnel server would refuse (its client would retry them forever)', async () => {
    const bad = setup({ subdomain: 'Not_OK' });
    await bad.client.start();
    expect(bad.client.state).toMatchObject({ status: 'error', reason: expect.stringContaining('"Not_OK" is not a usable subdomain') });
    expect(bad.tunnels).toHaveLength(0);
    const badHost = setup({ host: 'tunnel.example' });
    await badHost.client.start();
    expect(badHost.client.state).toMatchObject({ status: 'error', reason: 'tunnel server "tunnel.example" is not a URL' });
    expect(validateSubdomain('quiet-fox-12')).toBeNull();
    expect(validateSubdomain('abc')).toBe('"abc" is not a usable subdomain: 4-63 lowercase letters, digits or dashes (not first or last)');
    expect(validateSubdomain('-abcd')).toMatch(/^"-abcd" is not a usable subdomain/);
    // Fixing the subdomain through reconnect() starts it.
    await bad.client.reconnect({ subdomain: 'quiet-fox' });
    await flush();
    expect(bad.client.state).toEqual({ status: 'connecting', attempt: 1 });
    expect(bad.last().opts.subdomain).toBe('quiet-fox');
    await bad.client.stop();
  });

  it('reconnect() drops the tunnel and asks again at once, optionally for another subdomain or server', async () => {
    const { client, tunnels, last } = setup();
    await client.start();
    await flush();
    last().up('https://other-one.loca.lt');
    await client.reconnect({ subdomain: 'quiet-fox', host: 'https://tunnel2.example' });
    await flush();
    expect(tunnels[0]!.closed).toBe(true);
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
    expect(last().opts).toEqual({ port: 8080, host: 'https://tunnel2.example', subdomain: 'quiet-fox' });
    expect(client.target).toEqual({ host: 'https://tunnel2.example', subdomain: 'quiet-fox' });
    tunnels[0]!.emit('error', new Error('late error of the old client'));
    expect(client.state.status).toBe('connecting');
    last().up();
    expect(client.state).toMatchObject({ status: 'online', url: 'https://quiet-fox.loca.lt' });
    await client.stop();
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from 1 s to 60 s with ±20 % jitter', () => {
    expect([1, 2, 3, 6, 7, 20].map((n) => reconnectDelayMs(n, {}, () => 0.5))).toEqual([1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
    expect(reconnectDelayMs(1, {}, () => 0)).toBe(800);
    expect(reconnectDelayMs(1, {}, () => 0.999_999)).toBe(1_200);
    expect(reconnectDelayMs(3, { initialDelayMs: 100, factor: 3, maxDelayMs: 500, jitter: 0 })).toBe(500);
  });
});
