import { EventEmitter } from 'node:events';
import type { AdminEvents } from '../../shared/adminApi';

/** What the instance announces to its UIs; the admin layer throttles and forwards these. */
export type InstanceEventMap = { [K in keyof AdminEvents]: [AdminEvents[K]] };

export class InstanceEvents extends EventEmitter<InstanceEventMap> {}
