// Forwards instance events to a UI, at most a few per second per kind: bursts collapse
// to their latest value (per key for delivery progress), sent on a trailing edge.
import type { AdminEventName, AdminEvents } from '../../shared/adminApi';
import { ADMIN_EVENTS } from '../../shared/adminApi';
import type { InstanceEvents } from '../core/events';
import { DEFAULT_ADMIN } from '../core/config';

export type EventSink = <K extends AdminEventName>(name: K, data: AdminEvents[K]) => void;

/** Forwards events to `sink`, at most one per `intervalMs` per kind (and key); default config.ts's eventMinIntervalMs. */
export function forwardEvents(events: InstanceEvents, sink: EventSink, intervalMs = DEFAULT_ADMIN.eventMinIntervalMs): () => void {
  const lastSent = new Map<string, number>();
  const pending = new Map<string, { name: AdminEventName; data: unknown; timer: NodeJS.Timeout }>();
  const listeners: [AdminEventName, (d: unknown) => void][] = [];

  for (const name of ADMIN_EVENTS) {
    const listener = (data: unknown) => {
      const key = name === 'delivery' ? `${name}:${(data as AdminEvents['delivery']).activityId}` : name;
      const now = Date.now();
      const wait = (lastSent.get(key) ?? 0) + intervalMs - now;
      const existing = pending.get(key);
      if (existing) {
        existing.data = data;
        return;
      }
      if (wait <= 0) {
        lastSent.set(key, now);
        sink(name, data as never);
        return;
      }
      const timer = setTimeout(() => {
        const p = pending.get(key)!;
        pending.delete(key);
        lastSent.set(key, Date.now());
        sink(p.name, p.data as never);
      }, wait);
      timer.unref?.();
      pending.set(key, { name, data, timer });
    };
    events.on(name, listener as never);
    listeners.push([name, listener]);
  }
  return () => {
    for (const [name, l] of listeners) events.off(name, l as never);
    for (const p of pending.values()) clearTimeout(p.timer);
    pending.clear();
  };
}
