// A deep queue: the engine holds a page of jobs per host and reads the rest from SQLite as
// they go out; it reads new rows only after the outbox wrote some.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryRows } from '../../../../src/main/core/delivery/deliveryRows';
import { Harness, MIN, inboxes, until } from './harness';

let h: Harness;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
});

describe('paging a deep queue', () => {
  it('a host with many times a page of rows gets each once, oldest first', async () => {
    h = new Harness({ config: { perHostConcurrency: 1, hostPageSize: 2 } });
    const ids = Array.from({ length: 12 }, () => h.enqueue(inboxes('deep.test', 1)));
    h.start();
    await until(() => h.countIn('delivered') === 12, 'all delivered');
    expect(h.transport.requests.map((r) => r.activity)).toEqual(ids.map((id) => `${h.identity.origin}/activities/${id}`));
  });

  it('reads new rows only after the outbox wrote some, not on every turn', async () => {
    const loadNew = vi.spyOn(DeliveryRows.prototype, 'loadNew');
    h = new Harness({ respond: () => 'hang' });
    h.enqueue(inboxes('a.test', 4));
    h.start();
    await until(() => h.transport.hanging.length === 2, 'under way');
    await h.queue.idle();
    const reads = loadNew.mock.calls.length;
    // Turns without writes: attempts answering, retries falling due, idle checks.
    h.transport.releaseAll(503);
    await until(() => h.countIn('in_flight') === 2 || h.countIn('queued') === 4, 'answered');
    for (let i = 0; i < 5; i++) {
      h.advance(MIN);
      await h.queue.idle();
    }
    expect(loadNew.mock.calls.length).toBe(reads);
    h.enqueue(inboxes('b.test', 1));
    await until(() => h.transport.count('b.test') === 1, 'the new row sent');
    expect(loadNew.mock.calls.length).toBeGreaterThan(reads);
  });

  it('a retry that sorts behind the loaded page waits in the table and goes when due', async () => {
    let first = true;
    h = new Harness({
      config: { perHostConcurrency: 1, hostPageSize: 2 },
      retryPolicy: () => MIN,
      respond: () => {
        if (!first) return 202;
        first = false;
        return 503;
      },
    });
    const id = h.enqueue(inboxes('r.test', 6));
    h.start();
    await until(() => h.countIn('delivered') === 5, 'the others delivered');
    await h.queue.idle();
    expect(h.row('https://r.test/users/u0/inbox', id)).toMatchObject({ state: 'queued', attempts: 1 });
    h.advance(MIN);
    await until(() => h.countIn('delivered') === 6, 'the retry delivered');
    expect(h.transport.count()).toBe(7);
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 0 });
  });

  it('cancelling rows that were never loaded (Like then Undo) keeps the counts right', async () => {
    h = new Harness({ config: { perHostConcurrency: 1, hostPageSize: 2 }, respond: () => 'hang' });
    h.start();
    const like = h.enqueue(inboxes('busy.test', 10), 'Like');
    await until(() => h.transport.hanging.length === 1, 'one under way');
    await h.queue.idle();
    expect(h.queue.gauges()).toEqual({ queued: 9, inFlight: 1, parked: 0 });
    h.db.transaction(() => h.outbox.cancelQueued(like))();
    await h.queue.idle();
    expect(h.queue.gauges()).toEqual({ queued: 0, inFlight: 1, parked: 0 });
    expect(h.queue.queueStats()).toMatchObject({ queued: 0, inFlight: 1, cancelled: 9 });
    h.transport.releaseAll(202);
    await until(() => h.countIn('delivered') === 1, 'the one under way delivered');
    await h.queue.idle();
    expect(h.transport.count()).toBe(1);
    expect(h.queue.queueStats()).toMatchObject({ queued: 0, inFlight: 0, delivered: 1, cancelled: 9 });
  });

  it('a restart with a backlog counts it per host and sends every row once', async () => {
    h = new Harness({ config: { hostPageSize: 2 } });
    for (const host of ['x.test', 'y.test', 'z.test']) for (let i = 0; i < 5; i++) h.enqueue(inboxes(host, 2));
    h.build().start();
    await h.queue.idle();
    await until(() => h.countIn('delivered') === 30, 'all delivered');
    expect(h.transport.count()).toBe(30);
    expect(h.queue.queueStats()).toMatchObject({ queued: 0, inFlight: 0, delivered: 30 });
  });

  it('queueStats counts rows written but not read yet', () => {
    h = new Harness();
    h.start();
    h.enqueue(inboxes('new.test', 3));
    // The outbox wrote them in this turn; the engine reads them on its next one.
    expect(h.queue.queueStats()).toMatchObject({ queued: 3, inFlight: 0 });
  });
});
