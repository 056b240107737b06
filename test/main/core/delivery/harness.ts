// A DeliveryQueue over a real in-memory database, with an injected clock, a scripted
// transport that counts concurrency, and an injected connectivity probe. Rows are made
// through the real Outbox, so the queue sees exactly what the app gives it.
import { generateKeyPairSync } from 'node:crypto';
import { openDatabase, type Db } from '../../../../src/main/core/store/database';
import { Outbox } from '../../../../src/main/core/delivery/outbox';
import { LocalIdentity } from '../../../../src/main/core/federation/localActor';
import { DeliveryQueue } from '../../../../src/main/core/delivery/deliveryQueue';
import { HostHealth } from '../../../../src/main/core/delivery/hostHealth';
import { exponentialBackoff, type RetryPolicy } from '../../../../src/main/core/delivery/retryPolicy';
import { InstanceEvents } from '../../../../src/main/core/events';
import { silentLogger } from '../../../../src/main/core/logger';
import { HostSignatureSpecs } from '../../../../src/main/core/federation/hostSignatureSpecs';
import { DEFAULT_SIGNATURES, deliveryConfig, type DeliveryConfig, type DeliveryOverrides } from '../../../../src/main/core/config';
import type { HttpResponse, RequestOptions } from '../../../../src/main/core/federation/httpClient';
import type { DeliveryMetrics } from '../../../../src/main/core/metrics/deliveryMetrics';

// 1024 bits: signing is real but cheap; nothing here tests key strength.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });

/** Midnight UTC, so day arithmetic in tests is easy to read. */
export const T0 = Date.UTC(2024, 0, 1);
export const SEC = 1000;
export const MIN = 60_000;
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` on the real clock (the queue's pump runs on setImmediate and signing on the thread pool). */
export async function until(cond: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export class Clock {
  constructor(public t = T0) {}
  readonly now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** An error shaped like undici's / node's network errors. */
export function netError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

export type Answer = number | { status: number; headers?: Record<string, string> } | Error | 'hang';
export type Responder = (url: string, host: string, activity: { id: string; type: string }) => Answer | Promise<Answer>;

export interface Sent {
  url: string;
  host: string;
  at: number;
  type: string;
  activity: string;
}

interface Hanging {
  url: string;
  host: string;
  resolve: (a: Exclude<Answer, 'hang'>) => void;
}

/** Stands in for HttpClient: answers as scripted, counts requests under way, overall and per host. */
export class FakeTransport {
  readonly requests: Sent[] = [];
  readonly hanging: Hanging[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly inFlightByHost = new Map<string, number>();
  readonly maxByHost = new Map<string, number>();

  constructor(private readonly clock: Clock, public respond: Responder = () => 202) {}

  async request(url: string, opts: RequestOptions): Promise<HttpResponse> {
    const host = new URL(url).host;
    const activity = JSON.parse(String(opts.body)) as { id: string; type: string };
    this.requests.push({ url, host, at: this.clock.now(), type: activity.type, activity: activity.id });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const n = (this.inFlightByHost.get(host) ?? 0) + 1;
    this.inFlightByHost.set(host, n);
    this.maxByHost.set(host, Math.max(this.maxByHost.get(host) ?? 0, n));
    try {
      let answer = await this.respond(url, host, activity);
      if (answer === 'hang') answer = await new Promise<Exclude<Answer, 'hang'>>((resolve) => this.hanging.push({ url, host, resolve }));
      if (answer instanceof Error) throw answer;
      const a = typeof answer === 'number' ? { status: answer } : answer;
      return { status: a.status, headers: a.headers ?? {}, body: Buffer.alloc(0) };
    } finally {
      this.inFlight--;
      this.inFlightByHost.set(host, this.inFlightByHost.get(host)! - 1);
    }
  }

  /** Answers every hanging request (default 202). */
  releaseAll(answer: Exclude<Answer, 'hang'> = 202): void {
    for (const h of this.hanging.splice(0)) h.resolve(answer);
  }

  count(host?: string): number {
    return host ? this.requests.filter((r) => r.host === host).length : this.requests.length;
  }
}

export interface DeliveryRow {
  id: number;
  activity_id: string;
  inbox: string;
  host: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
}

export interface HarnessOptions {
  config?: DeliveryOverrides;
  retryPolicy?: RetryPolicy;
  respond?: Responder;
  probe?: (origin: string) => Promise<boolean>;
  metrics?: DeliveryMetrics;
  db?: Db;
  clock?: Clock;
  recheckMs?: number;
}

export const TEST_CONFIG: DeliveryConfig = deliveryConfig({
  globalConcurrency: 8,
  perHostConcurrency: 2,
  maxInFlight: 64,
  slowAttemptMs: 60_000,
  // Small pages, so every test here also runs the paging: most hosts have more rows than fit.
  hostPageSize: 3,
});

let activitySeq = 0;

export class Harness {
  readonly db: Db;
  readonly clock: Clock;
  readonly identity = new LocalIdentity('http://local.test', 'me', privateKey);
  readonly events = new InstanceEvents();
  readonly outbox: Outbox;
  readonly transport: FakeTransport;
  readonly gone: string[] = [];
  readonly config: DeliveryConfig;
  hostHealth!: HostHealth;
  queue!: DeliveryQueue;
  probe: (origin: string) => Promise<boolean>;
  private readonly opts: HarnessOptions;

  constructor(opts: HarnessOptions = {}) {
    this.opts = opts;
    this.db = opts.db ?? openDatabase(':memory:');
    this.clock = opts.clock ?? new Clock();
    this.outbox = new Outbox(this.db, this.identity, this.clock.now);
    this.transport = new FakeTransport(this.clock, opts.respond);
    this.config = deliveryConfig({ ...opts.config, connectivity: { recheckMs: opts.recheckMs ?? 5, ...opts.config?.connectivity } }, TEST_CONFIG);
    this.probe = opts.probe ?? (async () => true);
    this.build();
  }

  /** A fresh HostHealth and DeliveryQueue over the same database (a restart). */
  build(): DeliveryQueue {
    this.hostHealth = new HostHealth(this.db, this.config.hosts, () => this.config.retry);
    this.queue = new DeliveryQueue({
      db: this.db,
      http: this.transport,
      signer: () => ({ keyId: this.identity.keyId, privateKey: this.identity.privateKey }),
      specs: new HostSignatureSpecs(this.db, DEFAULT_SIGNATURES, () => DEFAULT_SIGNATURES.preferredSpec),
      config: this.config,
      retryPolicy: this.opts.retryPolicy ?? exponentialBackoff({ ...this.config.retry, random: () => 0.5 }),
      hostHealth: this.hostHealth,
      changes: this.outbox.changed,
      events: this.events,
      log: silentLogger,
      ...(this.opts.metrics ? { metrics: this.opts.metrics } : {}),
      onGone: (inbox) => this.gone.push(inbox),
      probe: (origin) => this.probe(origin),
      now: this.clock.now,
    });
    return this.queue;
  }

  start(): this {
    this.queue.start();
    return this;
  }

  /** Queues an activity to `inboxes` through the real Outbox (which wakes the queue); returns its local id. */
  enqueue(inboxes: string[], type = 'Create', opts: { object?: string } = {}): string {
    const id = `a${++activitySeq}`;
    const activity = { id: `${this.identity.origin}/activities/${id}`, type, actor: this.identity.actor, object: opts.object ?? 'https://remote.test/notes/1' };
    this.db.transaction(() => this.outbox.enqueue(id, activity, inboxes))();
    return id;
  }

  rows(activityId?: string): DeliveryRow[] {
    return activityId
      ? this.db.prepare<[string], DeliveryRow>('SELECT * FROM deliveries WHERE activity_id = ? ORDER BY id').all(activityId)
      : this.db.prepare<[], DeliveryRow>('SELECT * FROM deliveries ORDER BY id').all();
  }

  row(inbox: string, activityId?: string): DeliveryRow {
    const r = this.rows(activityId).find((x) => x.inbox === inbox);
    if (!r) throw new Error(`no delivery to ${inbox}`);
    return r;
  }

  states(activityId?: string): string[] {
    return this.rows(activityId).map((r) => r.state);
  }

  countIn(state: string): number {
    return this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM deliveries WHERE state = ?').get(state)!.n;
  }

  attempts(): { delivery_id: number; host: string; status: number | null; error_class: string; counted: number; probe: number; at: number }[] {
    return this.db.prepare('SELECT delivery_id, host, status, error_class, counted, probe, at FROM delivery_attempts ORDER BY id').all() as never;
  }

  /** Moves the clock and lets the queue's scheduler look at it. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.queue.tick();
  }

  async stop(): Promise<void> {
    this.transport.releaseAll(503);
    await this.queue.stop(100);
    this.db.close();
  }
}

export function inboxes(host: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `https://${host}/users/u${i}/inbox`);
}
