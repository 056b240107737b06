// The engine's per-host index holds counts for every waiting row but only a page of jobs:
// memory follows hosts, not queued rows.
import { describe, expect, it } from 'vitest';
import { HostQueues, type Job } from '../../../../src/main/core/delivery/hostQueues';

const job = (id: number, nextAt = 0, activityId = `a${id}`): Job => ({
  id, activityId, inbox: `https://h.test/i${id}`, host: 'h.test', attempts: 0, nextAt, createdAt: 0,
});

describe('HostQueues paging', () => {
  it('holds at most a page of jobs however many rows wait, and counts them all', () => {
    const released: string[] = [];
    const q = new HostQueues(() => 4, (a) => released.push(a));
    const hq = q.ensure('h.test', 'https://h.test');
    for (let i = 1; i <= 1000; i++) q.add(hq, job(i, 100));
    expect(hq.jobs.map((j) => j.id)).toEqual([1, 2, 3, 4]);
    expect(hq.waiting).toBe(1000);
    expect(q.gauges()).toEqual({ queued: 1000, inFlight: 0, parked: 0 });
    // Every row beyond the page sorts after the last loaded one.
    expect(hq.after).toEqual({ nextAt: 100, id: 4 });
    expect(q.room(hq)).toBe(0);
    // Rows that did not stay in memory leave nothing behind (row 5 was in the page until row 6 pushed it out).
    expect([...q.jobsOf('a500')]).toEqual([]);
    expect(released).toEqual(['a5']);
  });

  it('a row sorting before the loaded ones is kept and the last loaded one goes back to the table', () => {
    const q = new HostQueues(() => 3);
    const hq = q.ensure('h.test', 'https://h.test');
    for (let i = 1; i <= 5; i++) q.add(hq, job(i, 100 * i));
    expect(hq.jobs.map((j) => j.id)).toEqual([1, 2, 3]);
    q.add(hq, job(9, 150)); // a retry falling due earlier than row 2
    expect(hq.jobs.map((j) => j.id)).toEqual([1, 9, 2]);
    expect(hq.after).toEqual({ nextAt: 200, id: 2 });
    q.add(hq, job(10, 250)); // after the boundary: stays in the table
    expect(hq.jobs.map((j) => j.id)).toEqual([1, 9, 2]);
    expect(hq.waiting).toBe(7);
  });

  it('takes jobs into flight, pages the rest in, and heals a drifted count when the table has no more', () => {
    const q = new HostQueues(() => 2);
    const hq = q.ensure('h.test', 'https://h.test');
    for (let i = 1; i <= 5; i++) q.add(hq, job(i, 100));
    q.take(hq);
    q.take(hq);
    expect(q.gauges()).toEqual({ queued: 3, inFlight: 2, parked: 0 });
    expect(q.room(hq)).toBe(2);
    q.pageIn(hq, [job(3, 100), job(4, 100)], false);
    expect(hq.after).toEqual({ nextAt: 100, id: 4 });
    q.take(hq);
    q.take(hq);
    // The table says one row is left, but it was cancelled meanwhile: the page comes back empty.
    q.pageIn(hq, [], true);
    expect(hq.after).toBeNull();
    expect(hq.waiting).toBe(0);
    expect(q.gauges()).toEqual({ queued: 0, inFlight: 4, parked: 0 });
  });

  it('parking moves the whole count, loaded or not; reset drops the page and keeps the count', () => {
    const q = new HostQueues(() => 2);
    const hq = q.ensure('h.test', 'https://h.test');
    for (let i = 1; i <= 6; i++) q.add(hq, job(i, 100, 'a'));
    q.setParked(hq, true);
    expect(q.gauges()).toEqual({ queued: 0, inFlight: 0, parked: 6 });
    q.add(hq, job(7, 100, 'a'));
    expect(q.gauges().parked).toBe(7);
    q.reset(hq, 7);
    expect(hq.jobs).toEqual([]);
    expect([...q.jobsOf('a')]).toEqual([]);
    expect(q.room(hq)).toBe(2);
    q.setParked(hq, false);
    expect(q.gauges()).toEqual({ queued: 7, inFlight: 0, parked: 0 });
  });
});
