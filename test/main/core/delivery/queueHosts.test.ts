// Host health in the queue: backoff parks a host's deliveries without spending attempts,
// one probe goes first when it ends; unreachable hosts get new deliveries skipped; the
// user can retry, suspend and resume a host.
import { afterEach, describe, expect, it } from 'vitest';
import { dayOf } from '../../../../src/main/core/delivery/hostHealth';
import { DAY, HOUR, Harness, MIN, T0, inboxes, netError, until, type Answer } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const refused = () => netError('ECONNREFUSED');

describe('backoff and probe', () => {
  it('5 failures back the host off 5 min with its deliveries parked; one probe at the end; its failure doubles the backoff; its success releases the rest', async () => {
    let answer: Answer | (() => Answer) = refused;
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: () => (typeof answer === 'function' ? answer() : answer) });
    const list = inboxes('dead.test', 8);
    h.enqueue(list);
    h.start();
    await until(() => h.hostHealth.get('dead.test')?.consecutiveFailures === 5, '5 failures');
    await h.queue.idle();

    expect(h.transport.count()).toBe(5);
    expect(h.hostHealth.get('dead.test')!.backoffUntil).toBe(T0 + 5 * MIN);
    expect(h.queue.queueStats()).toMatchObject({ parked: 8, queued: 0, hostsBackingOff: 1 });
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 8 });
    // Tried rows spent one attempt each; the others none — parking spends nothing.
    expect(h.rows().map((r) => [r.state, r.attempts])).toEqual([
      ...Array(5).fill(['parked', 1]),
      ...Array(3).fill(['parked', 0]),
    ]);

    // Nothing goes out during the backoff, even when retries fall due.
    h.advance(5 * MIN - 1);
    await h.queue.idle();
    expect(h.transport.count()).toBe(5);

    // Backoff over: exactly one probe.
    answer = 'hang';
    h.advance(1);
    await until(() => h.transport.count() === 6, 'probe');
    await h.queue.idle();
    expect(h.transport.count()).toBe(6);
    h.transport.releaseAll(refused());
    await until(() => h.hostHealth.get('dead.test')!.consecutiveFailures === 6, 'probe failure recorded');
    expect(h.hostHealth.get('dead.test')!.backoffUntil).toBe(T0 + 15 * MIN);
    expect(h.attempts().filter((a) => a.probe === 1)).toHaveLength(1);
    expect(h.countIn('parked')).toBe(8);

    h.advance(10 * MIN - 1);
    await h.queue.idle();
    expect(h.transport.count()).toBe(6);

    // Second probe: it succeeds, and the rest follow.
    answer = 'hang';
    h.advance(1);
    await until(() => h.transport.count() === 7, 'second probe');
    await h.queue.idle();
    expect(h.transport.count()).toBe(7);
    answer = 202;
    h.transport.releaseAll(202);
    await until(() => h.countIn('delivered') === 8, 'released deliveries sent');
    expect(h.transport.count()).toBe(14); // 5 + 2 probes + the 7 others, once each
    expect(h.hostHealth.get('dead.test')).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
    // Attempts spent: one per request; parking spent none.
    expect(h.rows().reduce((n, r) => n + r.attempts, 0)).toBe(14);
  });

  it("the backoff grows 5, 10, 20 … min with failing probes, up to the retry settings' longest delay (6 h)", async () => {
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: refused, retryPolicy: () => MIN });
    h.enqueue(inboxes('dead.test', 6));
    h.start();
    await until(() => h.hostHealth.get('dead.test')?.backoffUntil != null, 'backing off');
    const lengths: number[] = [];
    let from = T0;
    for (let i = 0; i < 9; i++) {
      const until_ = h.hostHealth.get('dead.test')!.backoffUntil!;
      lengths.push((until_ - from) / MIN);
      const sent = h.transport.count();
      h.advance(until_ - h.clock.t);
      from = h.clock.t;
      await until(() => h.hostHealth.get('dead.test')!.backoffUntil! > until_, `probe ${i + 1} failed`);
      expect(h.transport.count()).toBe(sent + 1);
    }
    expect(lengths).toEqual([5, 10, 20, 40, 80, 160, 320, 360, 360]);
  });

  it('concurrent attempts failing together do not inflate the first backoff', async () => {
    h = new Harness({ config: { perHostConcurrency: 4 }, respond: () => 'hang' });
    h.enqueue(inboxes('dead.test', 12));
    h.start();
    await until(() => h.transport.hanging.length === 4, 'first four under way');
    h.transport.releaseAll(refused());
    await until(() => h.transport.hanging.length === 4 && h.hostHealth.get('dead.test')?.consecutiveFailures === 4, 'next four under way');
    // These four fail together: the 5th failure starts the backoff, the other three were already under way.
    h.transport.releaseAll(refused());
    await until(() => h.countIn('in_flight') === 0 && h.hostHealth.get('dead.test')!.failures === 8, 'all recorded');
    await h.queue.idle();
    expect(h.transport.count()).toBe(8);
    expect(h.hostHealth.get('dead.test')).toMatchObject({ consecutiveFailures: 5, backoffUntil: T0 + 5 * MIN });
    expect(h.countIn('parked')).toBe(12);
  });

  it('other hosts keep delivering while one backs off', async () => {
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: (_url, host) => (host === 'dead.test' ? refused() : 202) });
    h.enqueue(inboxes('dead.test', 6));
    h.start();
    await until(() => h.hostHealth.get('dead.test')?.backoffUntil != null, 'backing off');
    h.enqueue(inboxes('alive.test', 3));
    await until(() => h.countIn('delivered') === 3, 'healthy host delivered');
    expect(h.countIn('parked')).toBe(6);
  });
});

describe('unreachable', () => {
  /** Seven UTC days of failures without a success, recorded as the queue would; the last a minute ago (backing off). */
  function markUnreachable(host: string): void {
    for (let d = -7; d < 0; d++) h.hostHealth.recordFailure(host, `https://${host}`, T0 + d * DAY + HOUR, 'refused', 'ECONNREFUSED', null);
    h.hostHealth.recordFailure(host, `https://${host}`, T0 - MIN, 'refused', 'ECONNREFUSED', null);
    h.hostHealth.persist();
    expect(h.hostHealth.get(host)!.unreachableSince).not.toBeNull();
    expect(h.hostHealth.get(host)!.backoffUntil).toBeGreaterThan(T0);
  }

  it('becomes unreachable through the queue after failures on 7 distinct days', async () => {
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: refused, retryPolicy: () => MIN });
    h.enqueue(inboxes('dead.test', 2));
    h.start();
    const failureDays = () => new Set(h.attempts().filter((a) => a.counted === 1).map((a) => dayOf(a.at))).size;
    for (let i = 0; i < 40 && h.hostHealth.get('dead.test')?.unreachableSince == null; i++) {
      const rec = h.hostHealth.get('dead.test');
      const next = rec?.backoffUntil ?? Math.min(...h.rows().map((r) => r.next_attempt_at));
      const sent = h.transport.count();
      expect(failureDays()).toBeLessThan(7);
      h.advance(Math.max(0, next - h.clock.t));
      await until(() => h.transport.count() > sent && h.countIn('in_flight') === 0 && h.attempts().length >= sent + 1, `attempt ${i}`);
    }
    expect(h.hostHealth.get('dead.test')!.unreachableSince).not.toBeNull();
    expect(failureDays()).toBe(7);
    expect(h.queue.queueStats().hostsUnreachable).toBe(1);

    // Deliveries queued from now on are skipped, not sent.
    const sent = h.transport.count();
    const id = h.enqueue(inboxes('dead.test', 1));
    await until(() => h.states(id)[0] === 'skipped', 'skipped');
    expect(h.rows(id)[0]!.last_error).toMatch(/unreachable/);
    h.advance(DAY);
    await h.queue.idle();
    expect(h.states(id)).toEqual(['skipped']);
    expect(h.transport.requests.slice(sent).filter((r) => r.activity.endsWith(id))).toHaveLength(0);
  });

  it('retryHost revives an unreachable host and sends its skipped and parked deliveries', async () => {
    h = new Harness({ respond: () => 202 });
    markUnreachable('dead.test');
    const parked = h.enqueue(inboxes('dead.test', 1));
    h.db.prepare(`UPDATE deliveries SET state = 'parked'`).run(); // waiting since before it was marked
    h.db.prepare('UPDATE deliveries SET created_at = ?').run(T0 - DAY);
    h.start();
    const id = h.enqueue(inboxes('dead.test', 2));
    await until(() => h.states(id).every((s) => s === 'skipped'), 'skipped');
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.queue.queueStats()).toMatchObject({ skipped: 2, parked: 1 });

    expect(h.queue.retryHost('dead.test')).toBe(true);
    // Released at once, in the table too (not parked again behind the host's old state).
    expect(h.states(id)).toEqual(['queued', 'queued']);
    expect(h.states(parked)).toEqual(['queued']);
    expect(h.hostHealth.get('dead.test')).toMatchObject({ unreachableSince: null, backoffUntil: null });
    await until(() => h.countIn('delivered') === 3, 'delivered');
    expect(h.transport.count()).toBe(3);
  });

  it('a signed request from the host (noteAlive) revives it too', async () => {
    h = new Harness({ respond: () => 202 });
    markUnreachable('dead.test');
    h.start();
    const id = h.enqueue(inboxes('dead.test', 2));
    await until(() => h.states(id).every((s) => s === 'skipped'), 'skipped');
    h.queue.noteAlive('dead.test');
    expect(h.hostHealth.get('dead.test')).toMatchObject({ unreachableSince: null, consecutiveFailures: 0 });
    await until(() => h.countIn('delivered') === 2, 'delivered');
    // A new delivery now goes out normally.
    const next = h.enqueue(inboxes('dead.test', 1));
    await until(() => h.states(next)[0] === 'delivered', 'new delivery sent');
  });

  it('a restart does not turn deliveries that were already waiting into skipped ones', async () => {
    h = new Harness({ respond: refused });
    markUnreachable('dead.test');
    const waiting = h.enqueue(inboxes('dead.test', 1));
    h.db.prepare(`UPDATE deliveries SET state = 'parked', created_at = ?`).run(T0 - 2 * DAY);
    h.start();
    const fresh = h.enqueue(inboxes('dead.test', 1));
    await until(() => h.states(fresh)[0] === 'skipped', 'new one skipped');
    expect(h.states(waiting)).toEqual(['parked']);
  });
});

describe('suspend and resume', () => {
  it('suspendHost parks its deliveries and sends nothing; resumeHost releases them', async () => {
    h = new Harness({ respond: () => 202 });
    h.start();
    h.queue.suspendHost('paused.test', 'https://paused.test');
    const id = h.enqueue(inboxes('paused.test', 3));
    await until(() => h.states(id).every((s) => s === 'parked'), 'parked');
    h.advance(DAY);
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.queue.queueStats().parked).toBe(3);
    expect(h.rows(id).map((r) => r.attempts)).toEqual([0, 0, 0]);

    expect(h.queue.resumeHost('paused.test')).toBe(true);
    await until(() => h.countIn('delivered') === 3, 'delivered');
  });

  it('suspending a host with queued deliveries parks them where they are', async () => {
    h = new Harness({ respond: () => 202 });
    const id = h.enqueue(inboxes('paused.test', 2));
    h.queue.suspendHost('paused.test', 'https://paused.test');
    h.start();
    await h.queue.idle();
    expect(h.states(id)).toEqual(['parked', 'parked']);
    expect(h.transport.count()).toBe(0);
  });

  it('resuming a host that is still backing off lets its probe go when the backoff ends', async () => {
    let answer: Answer = refused();
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: () => answer });
    h.enqueue(inboxes('dead.test', 6));
    h.start();
    await until(() => h.hostHealth.get('dead.test')?.backoffUntil != null, 'backing off');
    await h.queue.idle();
    h.queue.suspendHost('dead.test', 'https://dead.test');
    h.advance(2 * MIN);
    h.queue.resumeHost('dead.test');
    expect(h.countIn('parked')).toBe(6); // still backing off: resuming does not release
    answer = 202;
    h.advance(3 * MIN);
    await until(() => h.countIn('delivered') === 6, 'probe, then the rest');
  });

  it('a host started suspended while backing off, then resumed, is probed when the backoff ends', async () => {
    h = new Harness({ respond: () => 202 });
    for (let i = 0; i < 5; i++) h.hostHealth.recordFailure('dead.test', 'https://dead.test', h.clock.t, 'refused', 'ECONNREFUSED', null);
    h.hostHealth.setSuspended('dead.test', 'https://dead.test', true);
    h.hostHealth.persist();
    const id = h.enqueue(inboxes('dead.test', 3));
    h.build().start(); // a restart: the host comes back suspended and backing off
    await h.queue.idle();
    expect(h.states(id)).toEqual(['parked', 'parked', 'parked']);
    h.advance(2 * MIN);
    h.queue.resumeHost('dead.test');
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    h.advance(3 * MIN);
    await until(() => h.countIn('delivered') === 3, 'probe, then the rest');
  });
});
