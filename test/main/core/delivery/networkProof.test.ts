// Proof that the network works when every recently reached server fails together: a
// personal instance with one or two peers down is not offline when the tunnel is connected,
// its server's name resolves, or a well-known name answers; without proof it pauses.
import { describe, expect, it } from 'vitest';
import { ConnectivityMonitor } from '../../../../src/main/core/delivery/connectivity';
import { networkProof, tunnelForProof } from '../../../../src/main/core/delivery/networkProof';
import { silentLogger } from '../../../../src/main/core/logger';
import { DEFAULT_CONNECTIVITY } from '../../../../src/main/core/config';

const TUNNEL = 'https://tunnel.test';

function proof(o: { tunnel?: { connected: boolean }; resolves?: boolean; answers?: string[]; wellKnown?: string[] }) {
  const asked: string[] = [];
  const prove = networkProof({
    tunnel: () => (o.tunnel ? { ...o.tunnel, origin: TUNNEL } : undefined),
    wellKnownOrigins: () => o.wellKnown ?? [],
    canConnect: async (origin) => {
      asked.push(origin);
      return (o.answers ?? []).includes(origin);
    },
    resolve: async (name) => {
      asked.push(`dns:${name}`);
      if (!o.resolves) throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${name}`), { code: 'EAI_AGAIN' });
      return { address: '203.0.113.7', family: 4 };
    },
    timeoutMs: 1000,
  });
  return { prove, asked };
}

describe('networkProof', () => {
  it('a connected tunnel proves the network without asking anyone', async () => {
    const { prove, asked } = proof({ tunnel: { connected: true }, wellKnown: ['https://known.test'] });
    expect(await prove()).toBe('the tunnel is connected');
    expect(asked).toEqual([]);
  });

  it("a tunnel that is not connected: its server's name resolving proves it", async () => {
    expect(await proof({ tunnel: { connected: false }, resolves: true }).prove()).toBe('tunnel.test resolves');
    expect(await proof({ tunnel: { connected: false }, resolves: false }).prove()).toBeNull();
  });

  it('a well-known name that accepts a connection proves it; none configured, none asked', async () => {
    const { prove, asked } = proof({ wellKnown: ['https://down.test', 'https://known.test'], answers: ['https://known.test'] });
    expect(await prove()).toBe('https://known.test answers');
    expect(asked).toEqual(['https://down.test', 'https://known.test']);
    const none = proof({});
    expect(await none.prove()).toBeNull();
    expect(none.asked).toEqual([]);
  });

  it("reads the tunnel's status: off is no tunnel, online is connected", () => {
    const base = { host: TUNNEL, subdomain: null, identityProblem: null, reachability: null, publicUrl: 'https://me.test' };
    expect(tunnelForProof({ ...base, state: { status: 'off' } })).toBeUndefined();
    expect(tunnelForProof({ ...base, state: { status: 'online', url: 'https://x.tunnel.test', since: 1 } })).toEqual({ connected: true, origin: TUNNEL });
    expect(tunnelForProof({ ...base, state: { status: 'connecting', attempt: 2 } })).toEqual({ connected: false, origin: TUNNEL });
  });
});

describe('ConnectivityMonitor with a proof', () => {
  function monitor(prove: () => Promise<string | null>) {
    const changes: boolean[] = [];
    const m = new ConnectivityMonitor({
      references: () => ['https://friend.test'], probe: async () => false, prove,
      ...DEFAULT_CONNECTIVITY, recheckMs: 60_000, onChange: (offline) => changes.push(offline), log: silentLogger, now: () => 1000,
    });
    return { m, changes };
  }

  it('the only peer down while the network is proven: the host is charged, nothing pauses', async () => {
    const { m, changes } = monitor(async () => 'the tunnel is connected');
    expect(await m.judge('dead.test', 500)).toBe('charge');
    expect(m.offline).toBe(false);
    expect(changes).toEqual([]);
  });

  it('without proof delivery pauses (no server answers), and a proof that fails is no proof', async () => {
    const { m, changes } = monitor(async () => {
      throw new Error('resolver crashed');
    });
    expect(await m.judge('dead.test', 500)).toBe('outage');
    expect(m.offline).toBe(true);
    expect(changes).toEqual([true]);
    m.stop();
  });
});
