// What the delivery engine (deliveryQueue.ts) is given: the store, the wire, the policies,
// and where it reports.
import type { Db } from '../store/database';
import type { DeliveryConfig } from '../config';
import type { HttpClient } from '../federation/httpClient';
import type { LocalSigner, SignatureSpecMemory } from '../federation/signedRequests';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';
import type { Signal } from '../signal';
import type { StorageHealth } from '../store/storageHealth';
import type { DeliveryMetrics } from '../metrics/deliveryMetrics';
import type { HostHealth } from './hostHealth';
import type { RetryPolicy } from './retryPolicy';
import type { DeliveriesChange } from './outbox';

export interface DeliveryQueueDeps {
  db: Db;
  /** Only `request` is used, so tests can inject a scripted transport. */
  http: Pick<HttpClient, 'request'>;
  /** The key, and the signature spec each host takes. */
  signer: () => LocalSigner;
  specs: SignatureSpecMemory;
  config: DeliveryConfig;
  retryPolicy: RetryPolicy;
  hostHealth: HostHealth;
  /** Rows were queued or cancelled (the outbox's signal): the engine wakes up. */
  changes: Signal<DeliveriesChange>;
  events: InstanceEvents;
  log: Logger;
  /** Counts attempts and outcomes; the engine registers its gauges with it. */
  metrics?: DeliveryMetrics;
  /** A personal inbox answered 410: that follower is gone. */
  onGone: (inbox: string) => void;
  /** Whether an origin accepts a connection now (the instance: a guarded TCP connect; tests inject one). */
  probe: (origin: string) => Promise<boolean>;
  /** Proof the network works when no recently reached server answers (networkProof.ts). Default none. */
  proveNetwork?: () => Promise<string | null>;
  /** Told when the pump cannot write (true when it was for lack of space), and when it can again. */
  storage?: Pick<StorageHealth, 'noteWriteFailure' | 'noteWriteSuccess'>;
  now?: () => number;
}
