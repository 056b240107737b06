import { useEffect, useRef } from 'react';
import type { AdminEventName, AdminEvents } from '../../../shared/adminApi';
import { subscribe } from '../client';

/** Subscribes to live events while the component is mounted (the latest handler is called). */
export function useLiveEvents(names: AdminEventName[], handler: <K extends AdminEventName>(name: K, data: AdminEvents[K]) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = names.join(',');
  useEffect(() => {
    const offs = key.split(',').map((n) => {
      const name = n as AdminEventName;
      return subscribe(name, (data) => ref.current(name, data as never));
    });
    return () => offs.forEach((off) => off());
  }, [key]);
}
