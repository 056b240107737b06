import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InstanceEvents } from '../../../src/main/core/events';
import { forwardEvents } from '../../../src/main/admin/eventThrottle';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const queue = (queued: number) => ({
  queued, inFlight: 0, delivered: 0, failed: 0, parked: 0, skipped: 0, cancelled: 0, hostsBackingOff: 0, hostsUnreachable: 0, offline: false, paused: false,
});
const progress = (activityId: string) => ({ activityId, total: 2, delivered: 1, queued: 1, inFlight: 0, failed: 0, parked: 0, skipped: 0, cancelled: 0 });

describe('event throttling', () => {
  it('sends the first event at once and collapses a burst to its latest value', () => {
    const events = new InstanceEvents();
    const sent: [string, unknown][] = [];
    forwardEvents(events, (name, data) => sent.push([name, data]), 250);
    for (let i = 1; i <= 100; i++) events.emit('queue', queue(i));
    expect(sent).toEqual([['queue', queue(1)]]);
    vi.advanceTimersByTime(250);
    expect(sent).toEqual([['queue', queue(1)], ['queue', queue(100)]]);
  });

  it('never sends more than 4 per second per kind, and throttles delivery progress per activity', () => {
    const events = new InstanceEvents();
    const sent: [string, any][] = [];
    forwardEvents(events, (name, data) => sent.push([name, data]), 250);
    for (let ms = 0; ms < 1000; ms += 10) {
      events.emit('queue', queue(ms));
      events.emit('delivery', progress('a'));
      events.emit('delivery', progress('b'));
      vi.advanceTimersByTime(10);
    }
    expect(sent.filter(([n]) => n === 'queue').length).toBeLessThanOrEqual(5);
    const deliveries = sent.filter(([n]) => n === 'delivery');
    expect(deliveries.filter(([, d]) => d.activityId === 'a').length).toBeLessThanOrEqual(5);
    expect(deliveries.filter(([, d]) => d.activityId === 'b').length).toBeGreaterThanOrEqual(1);
  });

  it('stops forwarding after unsubscribe', () => {
    const events = new InstanceEvents();
    const sent: unknown[] = [];
    const stop = forwardEvents(events, (n, d) => sent.push([n, d]), 250);
    stop();
    events.emit('timeline', { cursor: '' });
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
  });
});
