// Tells a local outage (the laptop is offline or asleep) from dead hosts. A network-level
// failure only counts against its host when connectivity is proven: another delivery
// succeeded after the failing attempt began, or a reference host (one we recently reached)
// still accepts a connection, or something else proves the network works (networkProof.ts:
// the tunnel, a well-known name). If none does, no server answers: deliveries pause without
// marking hosts or spending attempts, and resume once a reference answers again — Outpost
// cannot tell the user's network from the servers, and says so.
import type { Logger } from '../logger';
import type { ConnectivityConfig } from '../config';

export type ConnectivityVerdict = 'charge' | 'outage';

export interface ConnectivityOptions extends ConnectivityConfig {
  /** Origins (scheme://host[:port]) we recently reached, most recent first. */
  references: (excludeHost: string) => string[];
  /** Other origins worth a try while offline (hosts never reached yet). Default none. */
  candidates?: () => string[];
  /** Whether an origin accepts a connection now (the instance: HttpClient.canConnect, through the address guard). */
  probe: (origin: string) => Promise<boolean>;
  /** Proof the network works when no reference answers (networkProof.ts); what it was, or null. Default none. */
  prove?: () => Promise<string | null>;
  onChange: (offline: boolean) => void;
  log: Logger;
  now?: () => number;
}

export class ConnectivityMonitor {
  private lastProofAt = 0;
  private offlineSince: number | null = null;
  private checking: Promise<boolean> | undefined;
  private recheckRound = 0;
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly probe: (origin: string) => Promise<boolean>;

  constructor(private readonly o: ConnectivityOptions) {
    this.now = o.now ?? Date.now;
    this.probe = o.probe;
  }

  get offline(): boolean {
    return this.offlineSince !== null;
  }

  get offlineSinceMs(): number | null {
    return this.offlineSince;
  }

  /** Any successful exchange with any host proves the network works. */
  noteSuccess(at = this.now()): void {
    if (at > this.lastProofAt) this.lastProofAt = at;
    if (this.offlineSince !== null) this.setOnline();
  }

  /** Decides whether a network failure of an attempt begun at `startedAt` counts against `host`. */
  async judge(host: string, startedAt: number): Promise<ConnectivityVerdict> {
    if (this.offlineSince !== null) return 'outage';
    if (this.lastProofAt >= startedAt) return 'charge';
    const refs = this.o.references(host).slice(0, this.o.referenceCount);
    if (refs.length === 0) return 'charge'; // nothing to compare with: assume the host is at fault
    const online = await this.check(refs);
    // A delivery that succeeded while the probe ran proves the network as well.
    if (online || this.lastProofAt >= startedAt) return 'charge';
    const proof = await this.proof();
    if (proof !== null || this.lastProofAt >= startedAt) {
      if (proof !== null) this.o.log.info(`delivery: ${refs.join(', ')} do not answer, but ${proof}: the network works, the hosts are charged`);
      return 'charge';
    }
    if (this.offlineSince === null) {
      this.offlineSince = this.now();
      this.o.log.warn(`delivery: no remote server answers (${refs.join(', ')}) and nothing proves the network works — pausing delivery`);
      this.o.onChange(true);
      this.scheduleRecheck();
    }
    return 'outage';
  }

  stop(): void {
    clearTimeout(this.recheckTimer);
  }

  private check(refs: string[]): Promise<boolean> {
    this.checking ??= (async () => {
      const results = await Promise.all(refs.map((r) => this.probe(r).catch(() => false)));
      const ok = results.some(Boolean);
      if (ok) this.lastProofAt = this.now();
      return ok;
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** What proves the network works without a reference answering; a proof counts as one. */
  private async proof(): Promise<string | null> {
    const found = this.o.prove ? await this.o.prove().catch(() => null) : null;
    if (found !== null) this.lastProofAt = this.now();
    return found;
  }

  private scheduleRecheck(): void {
    clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(async () => {
      if (this.offlineSince === null) return;
      const refs = this.recheckReferences();
      if (refs.length === 0 || (await this.check(refs)) || (await this.proof()) !== null) this.setOnline();
      else this.scheduleRecheck();
    }, this.o.recheckMs);
    this.recheckTimer.unref?.();
  }

  /**
   * A different window of origins on each re-check: the references first, then hosts never
   * reached. The verdict may come from references that all died together while the network
   * works; probing the same ones forever would pause delivery for good, since nothing is
   * sent while offline and so no success can prove the network back.
   */
  private recheckReferences(): string[] {
    const all = [...new Set([...this.o.references(''), ...(this.o.candidates?.() ?? [])])];
    const n = this.o.referenceCount;
    if (all.length <= n) return all;
    const start = (this.recheckRound++ * n) % all.length;
    return [...all.slice(start), ...all.slice(0, start)].slice(0, n);
  }

  private setOnline(): void {
    const since = this.offlineSince;
    this.offlineSince = null;
    this.recheckRound = 0;
    clearTimeout(this.recheckTimer);
    if (since !== null) {
      this.o.log.info(`delivery: network is back after ${Math.round((this.now() - since) / 1000)} s — resuming`);
      this.o.onChange(false);
    }
  }
}
