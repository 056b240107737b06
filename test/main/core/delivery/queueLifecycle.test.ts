// Crash safety, shutdown, pausing, and withdrawing queued deliveries (Like then Undo).
import { afterEach, describe, expect, it } from 'vitest';
import { HostHealth } from '../../../../src/main/core/delivery/hostHealth';
import { HOUR, Harness, inboxes, sleep, until } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('crash safety', () => {
  it('rows left in flight by a crash are queued again by start() and delivered', async () => {
    h = new Harness();
    const id = h.enqueue(inboxes('remote.test', 3));
    // As a killed process leaves them: two claimed, one attempt already spent on one.
    h.db.prepare(`UPDATE deliveries SET state = 'in_flight' WHERE id IN (SELECT id FROM deliveries ORDER BY id LIMIT 2)`).run();
    h.db.prepare(`UPDATE deliveries SET attempts = 1 WHERE id = (SELECT min(id) FROM deliveries)`).run();
    h.start();
    await until(() => h.states(id).every((s) => s === 'delivered'), 'delivered');
    expect(h.transport.count()).toBe(3);
    expect(h.rows(id).map((r) => r.attempts)).toEqual([2, 1, 1]);
  });

  it('stop() waits at most graceMs for hanging attempts; their rows stay in flight and the next start sends them', async () => {
    h = new Harness({ respond: () => 'hang' });
    const id = h.enqueue(inboxes('hang.test', 2));
    h.start();
    await until(() => h.transport.hanging.length === 2, 'attempts hanging');
    const first = h.queue;
    const began = Date.now();
    await first.stop(80);
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(70);
    expect(took).toBeLessThan(500);
    expect(h.states(id)).toEqual(['in_flight', 'in_flight']);

    // Next start, same database: recovered and delivered (at least once).
    h.transport.respond = () => 202;
    h.build().start();
    await until(() => h.states(id).every((s) => s === 'delivered'), 'delivered after restart');
    expect(h.transport.count()).toBe(4);
  });

  it('stop() records what finished during the grace period, host health included', async () => {
    h = new Harness({ respond: () => 'hang' });
    const id = h.enqueue(inboxes('flaky.test', 1));
    h.start();
    await until(() => h.transport.hanging.length === 1, 'attempt hanging');
    setTimeout(() => h.transport.releaseAll(503), 10);
    const began = Date.now();
    await h.queue.stop(5000);
    expect(Date.now() - began).toBeLessThan(1000); // returns as soon as the attempt settles
    expect(h.rows(id)[0]).toMatchObject({ state: 'queued', attempts: 1, last_status: 503 });
    expect(new HostHealth(h.db).get('flaky.test')).toMatchObject({ consecutiveFailures: 1, lastStatus: 503 });
  });

  it('setPaused holds every delivery until unpaused', async () => {
    h = new Harness();
    h.queue.setPaused(true);
    h.start();
    const id = h.enqueue(inboxes('remote.test', 2));
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.queue.queueStats()).toMatchObject({ paused: true, queued: 2 });
    h.queue.setPaused(false);
    await until(() => h.states(id).every((s) => s === 'delivered'), 'delivered');
  });
});

describe('cancelQueued (Like then Undo)', () => {
  /** What LocalActions.undoReaction does: cancel the Like, queue the Undo to whoever may have it. */
  function undo(likeId: string, to: string[]): { cancelled: Set<string>; undoId: string } {
    let cancelled = new Set<string>();
    let undoId = '';
    h.db.transaction(() => {
      cancelled = h.outbox.cancelQueued(likeId);
      undoId = h.enqueue(to.filter((i) => !cancelled.has(i)), 'Undo');
    })();
    return { cancelled, undoId };
  }

  it('both still queued: nothing is sent, the Like is cancelled', async () => {
    h = new Harness();
    h.start();
    const to = ['https://remote.test/users/author/inbox'];
    const like = h.enqueue(to, 'Like');
    const { cancelled, undoId } = undo(like, to); // before the queue's next turn
    expect([...cancelled]).toEqual(to);
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.states(like)).toEqual(['cancelled']);
    expect(h.rows(like)[0]!.last_error).toMatch(/Undo/);
    expect(h.rows(undoId)).toHaveLength(0);
    expect(h.queue.progress(like)).toMatchObject({ total: 1, cancelled: 1 });
  });

  it('a Like waiting for its retry is withdrawn too', async () => {
    h = new Harness({ respond: () => 503 });
    h.start();
    const to = ['https://remote.test/users/author/inbox'];
    const like = h.enqueue(to, 'Like');
    await until(() => h.rows(like)[0]!.attempts === 1 && h.states(like)[0] === 'queued', 'first attempt failed');
    h.transport.respond = () => 202;
    const { cancelled, undoId } = undo(like, to);
    expect(cancelled.size).toBe(1);
    h.advance(HOUR);
    await h.queue.idle();
    expect(h.transport.count()).toBe(1);
    expect(h.states(like)).toEqual(['cancelled']);
    expect(h.rows(undoId)).toHaveLength(0);
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 0 });
  });

  it('a parked Like is withdrawn and the parked gauge follows', async () => {
    h = new Harness();
    h.start();
    h.queue.suspendHost('remote.test', 'https://remote.test');
    const to = ['https://remote.test/users/author/inbox'];
    const like = h.enqueue(to, 'Like');
    await until(() => h.states(like)[0] === 'parked', 'parked');
    expect(h.queue.gauges().parked).toBe(1);
    undo(like, to);
    await h.queue.idle(); // the queue notices the cancelled row on its next turn
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 0 });
    h.queue.resumeHost('remote.test');
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.states(like)).toEqual(['cancelled']);
  });

  it('a Like already in flight is not cancelled: it is delivered and the Undo goes after it', async () => {
    h = new Harness({ respond: () => 'hang' });
    h.start();
    const to = ['https://remote.test/users/author/inbox'];
    const like = h.enqueue(to, 'Like');
    await until(() => h.transport.hanging.length === 1, 'Like in flight');
    const { cancelled, undoId } = undo(like, to);
    expect(cancelled.size).toBe(0);
    expect(h.states(like)).toEqual(['in_flight']);
    expect(h.rows(undoId)).toHaveLength(1);
    h.transport.respond = () => 202;
    await sleep(5);
    h.transport.releaseAll(202);
    await until(() => h.states(like)[0] === 'delivered' && h.states(undoId)[0] === 'delivered', 'both delivered');
    expect(h.transport.requests.map((r) => r.type)).toEqual(['Like', 'Undo']);
  });

  it('a row cancelled after the queue loaded it is never sent, even before the queue hears of it', async () => {
    h = new Harness();
    h.queue.setPaused(true);
    h.start();
    const like = h.enqueue(['https://remote.test/users/author/inbox'], 'Like');
    await h.queue.idle(); // loaded, waiting
    expect(h.queue.gauges().queued).toBe(1);
    h.db.prepare(`UPDATE deliveries SET state = 'cancelled' WHERE activity_id = ?`).run(like); // no signal
    h.queue.setPaused(false);
    await h.queue.idle();
    expect(h.transport.count()).toBe(0);
    expect(h.states(like)).toEqual(['cancelled']);
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 0 });
  });

  it('an Undo whose transaction rolls back withdraws nothing: the Like is still delivered', async () => {
    h = new Harness();
    h.queue.setPaused(true);
    h.start();
    const like = h.enqueue(['https://remote.test/users/author/inbox'], 'Like');
    await h.queue.idle();
    expect(() => h.db.transaction(() => {
      h.outbox.cancelQueued(like);
      throw new Error('the Undo failed');
    })()).toThrow('the Undo failed');
    expect(h.states(like)).toEqual(['queued']);
    h.queue.setPaused(false);
    await until(() => h.states(like)[0] === 'delivered', 'Like delivered');
  });

  it('only the given activity is withdrawn', async () => {
    h = new Harness();
    h.queue.setPaused(true);
    h.start();
    const like = h.enqueue(['https://remote.test/users/author/inbox'], 'Like');
    const post = h.enqueue(inboxes('remote.test', 2));
    undo(like, []);
    h.queue.setPaused(false);
    await until(() => h.states(post).every((s) => s === 'delivered'), 'post delivered');
    expect(h.states(like)).toEqual(['cancelled']);
    expect(h.transport.requests.every((r) => r.type === 'Create')).toBe(true);
  });
});
