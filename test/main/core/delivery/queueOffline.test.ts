// A local outage (every host failing at the network level, no reference host answering)
// pauses delivery without charging hosts or spending attempts.
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, Harness, MIN, inboxes, netError, until, type Answer } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const HOSTS = ['a.test', 'b.test', 'c.test'];

/** Delivers once to every host, so the connectivity check has reference hosts. */
async function warmUp(): Promise<void> {
  h.enqueue(HOSTS.map((host) => `https://${host}/inbox`));
  h.start();
  await until(() => h.countIn('delivered') === 3, 'warm-up delivered');
  h.advance(MIN);
}

describe('offline detection', () => {
  it('pauses without marking hosts or spending attempts, and resumes when the network is back', async () => {
    const probed: string[] = [];
    let online = true;
    h = new Harness({ config: { perHostConcurrency: 2 } });
    h.probe = async (origin) => {
      probed.push(origin);
      return online;
    };
    await warmUp();

    // The network goes away: connect refused / DNS failures / connect timeouts everywhere.
    online = false;
    const errors: Record<string, () => Answer> = {
      'a.test': () => netError('ECONNREFUSED'),
      'b.test': () => netError('ENOTFOUND', 'getaddrinfo ENOTFOUND b.test'),
      'c.test': () => netError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'),
    };
    h.transport.respond = (_url, host) => errors[host]!();
    const id = h.enqueue(HOSTS.flatMap((host) => inboxes(host, 2)));
    await until(() => h.queue.offline, 'offline detected');
    await until(() => h.countIn('in_flight') === 0, 'attempts under way settled');
    const sentWhileOffline = h.transport.count();

    expect(h.queue.queueStats()).toMatchObject({ offline: true, queued: 6, failed: 0, parked: 0, hostsBackingOff: 0 });
    for (const host of HOSTS) expect(h.hostHealth.get(host)).toMatchObject({ consecutiveFailures: 0, backoffUntil: null, failures: 0 });
    expect(h.rows(id).map((r) => [r.state, r.attempts])).toEqual(Array(6).fill(['queued', 0]));
    const ids = new Set(h.rows(id).map((r) => r.id));
    const tries = h.attempts().filter((a) => ids.has(a.delivery_id));
    expect(tries.length).toBeGreaterThan(0);
    expect(tries.every((a) => a.counted === 0)).toBe(true);
    // The verdict came from probing reference hosts (ones reached before), more than one.
    expect(probed.every((o) => HOSTS.some((host) => o === `https://${host}`))).toBe(true);
    expect(new Set(probed).size).toBeGreaterThanOrEqual(2);

    // Nothing is sent while offline, whatever time passes.
    h.advance(HOUR);
    await h.queue.idle();
    expect(h.transport.count()).toBe(sentWhileOffline);
    expect(h.queue.offline).toBe(true);

    // The network comes back: the re-check sees a reference answer, delivery resumes.
    h.transport.respond = () => 202;
    online = true;
    await until(() => !h.queue.offline, 'online again');
    await until(() => h.countIn('delivered') === 9, 'everything delivered');
    expect(h.queue.queueStats().offline).toBe(false);
    expect(h.rows(id).map((r) => r.attempts)).toEqual(Array(6).fill(1));
    for (const host of HOSTS) expect(h.hostHealth.get(host)!.consecutiveFailures).toBe(0);
  });

  it('a host that refuses while other hosts answer is charged (it is the host, not the network)', async () => {
    h = new Harness();
    await warmUp();
    h.transport.respond = (_url, host) => (host === 'a.test' ? netError('ECONNREFUSED') : 202);
    const id = h.enqueue(['https://a.test/inbox']);
    await until(() => h.rows(id)[0]!.attempts === 1, 'charged');
    expect(h.queue.offline).toBe(false);
    expect(h.hostHealth.get('a.test')!.consecutiveFailures).toBe(1);
    expect(h.attempts().at(-1)).toMatchObject({ counted: 1, error_class: 'refused' });
  });

  it('a wrong offline verdict (the reference hosts died together) does not pause delivery for good', async () => {
    h = new Harness();
    h.probe = async (origin) => origin === 'https://d.test';
    await warmUp();
    // a, b and c — every host that ever answered — go down at once.
    h.transport.respond = (_url, host) => (host === 'd.test' ? 202 : netError('ENOTFOUND'));
    h.enqueue(HOSTS.map((host) => `https://${host}/inbox`));
    await until(() => h.queue.offline, 'judged offline');
    // A new follower on a live host: the re-checks must find out that the network works.
    const id = h.enqueue(['https://d.test/inbox']);
    await until(() => h.states(id)[0] === 'delivered', 'delivered to the live host', 1500);
    expect(h.queue.offline).toBe(false);
    // And the dead hosts are now charged, not refunded.
    h.advance(HOUR);
    await until(() => HOSTS.every((host) => h.hostHealth.get(host)!.consecutiveFailures === 1), 'dead hosts charged');
  });

  it('HTTP errors are never taken for an outage', async () => {
    h = new Harness();
    h.probe = async () => false;
    await warmUp();
    h.transport.respond = () => 503;
    const id = h.enqueue(HOSTS.map((host) => `https://${host}/inbox`));
    await until(() => h.rows(id).every((r) => r.attempts === 1), 'all charged');
    expect(h.queue.offline).toBe(false);
    for (const host of HOSTS) expect(h.hostHealth.get(host)!.consecutiveFailures).toBe(1);
  });
});
