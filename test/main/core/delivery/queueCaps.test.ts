// Throttling: the global and per-host caps, and no head-of-line blocking.
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, inboxes, sleep, until } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('concurrency caps', () => {
  it('never exceeds the global cap nor the per-host cap, and uses both fully', async () => {
    h = new Harness({
      config: { globalConcurrency: 6, perHostConcurrency: 2, maxInFlight: 64 },
      respond: async () => {
        await sleep(3);
        return 202;
      },
    });
    const hosts = Array.from({ length: 8 }, (_, i) => `h${i}.test`);
    h.enqueue(hosts.flatMap((host) => inboxes(host, 6)));
    h.start();
    await until(() => h.countIn('delivered') === 48, 'all delivered');

    expect(h.transport.count()).toBe(48);
    expect(h.transport.maxInFlight).toBeLessThanOrEqual(6);
    expect(h.transport.maxInFlight).toBe(6); // the cap is a cap, not a throttle to one
    for (const host of hosts) expect(h.transport.maxByHost.get(host)).toBeLessThanOrEqual(2);
  });

  it('fewer hosts than global slots: each host gets its per-host cap at once', async () => {
    h = new Harness({ config: { globalConcurrency: 6, perHostConcurrency: 2, maxInFlight: 64 }, respond: () => 'hang' });
    h.enqueue([...inboxes('a.test', 6), ...inboxes('b.test', 6)]);
    h.start();
    await until(() => h.transport.hanging.length === 4, 'both hosts at their cap');
    await h.queue.idle();
    expect(h.transport.count('a.test')).toBe(2);
    expect(h.transport.count('b.test')).toBe(2);
    h.transport.respond = () => 202;
    h.transport.releaseAll(202);
    await until(() => h.countIn('delivered') === 12, 'all delivered');
    expect(h.transport.maxByHost.get('a.test')).toBe(2);
    expect(h.transport.maxInFlight).toBe(4);
  });

  it('more hosts than global slots: one request per host in turn, none gets a second while another waits', async () => {
    h = new Harness({ config: { globalConcurrency: 3, perHostConcurrency: 4, launchesPerTick: 100 }, respond: () => 'hang' });
    const hosts = Array.from({ length: 5 }, (_, i) => `h${i}.test`);
    h.enqueue(hosts.flatMap((host) => inboxes(host, 4)));
    h.start();
    await until(() => h.transport.hanging.length === 3, 'global cap reached');
    // The first round: three hosts, one request each (before, the first host took all three).
    expect(new Set(h.transport.hanging.map((r) => r.host)).size).toBe(3);
    // Each answer frees a slot for the next host in the round, not for the one that answered.
    for (let i = 0; i < 5; i++) {
      h.transport.hanging.shift()!.resolve(202);
      await until(() => h.transport.hanging.length === 3, 'the freed slot taken');
    }
    expect(h.transport.requests.slice(0, 5).map((r) => r.host).sort()).toEqual(hosts);
    expect(h.transport.maxByHost.get('h0.test')).toBe(1);
  });

  it('keeps one host to its per-host cap even when global slots are free', async () => {
    h = new Harness({
      config: { globalConcurrency: 16, perHostConcurrency: 3 },
      respond: async () => {
        await sleep(3);
        return 202;
      },
    });
    h.enqueue(inboxes('big.test', 20));
    h.start();
    await until(() => h.countIn('delivered') === 20, 'all delivered');
    expect(h.transport.maxByHost.get('big.test')).toBe(3);
    expect(h.transport.maxInFlight).toBe(3);
  });
});

describe('no head-of-line blocking', () => {
  it('a host whose requests hang does not delay the others: slow attempts give their global slot back', async () => {
    h = new Harness({
      config: { globalConcurrency: 2, perHostConcurrency: 2, maxInFlight: 8, slowAttemptMs: 20 },
      respond: (_url, host) => (host === 'slow.test' ? 'hang' : 202),
    });
    // The slow host's rows come alone first, so it takes every global slot.
    h.enqueue(inboxes('slow.test', 4));
    h.start();
    await until(() => h.transport.hanging.length === 2, 'slow host holds both global slots');
    expect(h.transport.count()).toBe(2);
    h.enqueue([...inboxes('fast1.test', 3), ...inboxes('fast2.test', 3)]);

    const began = Date.now();
    await until(() => h.countIn('delivered') === 6, 'fast hosts delivered');
    expect(Date.now() - began).toBeLessThan(1000);
    // The slow host is still held to its own cap: its two requests hang, the rest wait.
    expect(h.transport.hanging).toHaveLength(2);
    expect(h.transport.count('slow.test')).toBe(2);
    expect(h.countIn('in_flight')).toBe(2);

    h.transport.respond = () => 202;
    h.transport.releaseAll(202);
    await until(() => h.countIn('delivered') === 10, 'slow host delivered once it answers');
  });

  it('without that release, a full global cap of hanging attempts would block: maxInFlight still bounds sockets', async () => {
    h = new Harness({
      config: { globalConcurrency: 2, perHostConcurrency: 2, maxInFlight: 4, slowAttemptMs: 10 },
      respond: (_url, host) => (host.startsWith('slow') ? 'hang' : 202),
    });
    h.enqueue([...inboxes('slow1.test', 3), ...inboxes('slow2.test', 3), ...inboxes('slow3.test', 3)]);
    h.start();
    await until(() => h.transport.hanging.length === 4, 'hard cap reached');
    await sleep(60); // several slowAttemptMs periods: no attempt beyond maxInFlight starts
    expect(h.transport.inFlight).toBe(4);
    expect(h.transport.maxInFlight).toBe(4);
  });
});
