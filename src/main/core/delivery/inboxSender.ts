// Sends one activity to one inbox: sign it (on libuv's thread pool, so the event loop —
// in Electron, the window — never waits for RSA) in the spec the host takes, POST it
// (double-knocking a 400/401 with the other spec: signedRequests.ts), classify the answer. A network
// failure is judged against connectivity (connectivity.ts) before it counts: offline, the
// attempt is refunded.
import type { DeliveryConfig } from '../config';
import type { HttpClient } from '../federation/httpClient';
import { SignedRequester, type LocalSigner } from '../federation/signedRequests';
import type { SignatureSpecMemory } from '../federation/hostSignatureSpecs';
import { classifyError, classifyStatus, NETWORK_CLASSES, type AttemptOutcome, type Outcome } from './outcome';
import type { ConnectivityMonitor } from './connectivity';
import type { DeliveryRows } from './deliveryRows';
import type { Job } from './hostQueues';

export interface InboxSenderDeps {
  /** Only `request` is used, so tests can inject a scripted transport. */
  http: Pick<HttpClient, 'request'>;
  signer: () => LocalSigner;
  config: Pick<DeliveryConfig, 'attemptTimeoutMs' | 'responseMaxBytes'>;
  rows: Pick<DeliveryRows, 'body'>;
  connectivity: ConnectivityMonitor;
  /** Which signature spec each host takes (the double-knock's memory). */
  specs: SignatureSpecMemory;
  now: () => number;
}

export interface SendHooks {
  /** Called once signing is done and the request goes out. */
  requesting(): void;
  /** Asked then too: close the connection after this request (its host has nothing else waiting)? */
  closeConnection(): boolean;
}

export class InboxSender {
  /** Serialized activities, kept while the engine holds deliveries of them. */
  private readonly bodies = new Map<string, { body: Buffer; digest: string }>();

  private readonly requester: SignedRequester;

  constructor(private readonly d: InboxSenderDeps) {
    this.requester = new SignedRequester(d.http, d.signer, d.specs, d.now);
  }

  /** One attempt begun at `startedAt`; never throws (a failure is an outcome). */
  async send(job: Job, startedAt: number, hooks: SendHooks): Promise<AttemptOutcome> {
    let outcome: Outcome;
    try {
      const { body, digest } = this.body(job.activityId);
      let requested = false;
      // Signed in the spec the host takes; a 400/401 is knocked again at once with the other one.
      const res = await this.requester.request({
        method: 'POST', url: job.inbox, body, digest, timeoutMs: this.d.config.attemptTimeoutMs, maxBytes: this.d.config.responseMaxBytes,
        beforeSend: (headers) => {
          if (!requested) hooks.requesting();
          requested = true;
          // A fan-out to 5000 hosts must not hold 5000 idle sockets (and their pools) for the keep-alive period.
          if (hooks.closeConnection()) headers.connection = 'close';
        },
      });
      this.d.connectivity.noteSuccess();
      outcome = classifyStatus(res.status, res.headers['retry-after'], this.d.now());
    } catch (err) {
      outcome = classifyError(err);
    }
    if (outcome.kind === 'retry' && outcome.status === null && NETWORK_CLASSES.has(outcome.errorClass)) {
      if ((await this.d.connectivity.judge(job.host, startedAt)) === 'outage') {
        return { kind: 'refunded', status: null, errorClass: outcome.errorClass, error: `${outcome.error} (offline: not counted)` };
      }
    }
    return outcome;
  }

  /** The engine holds no more deliveries of the activity. */
  forget(activityId: string): void {
    this.bodies.delete(activityId);
  }

  private body(activityId: string): { body: Buffer; digest: string } {
    let b = this.bodies.get(activityId);
    if (!b) {
      const row = this.d.rows.body(activityId);
      if (!row) throw new Error(`activity ${activityId} is missing`);
      b = { body: Buffer.from(row.body), digest: row.digest };
      this.bodies.set(activityId, b);
    }
    return b;
  }
}
