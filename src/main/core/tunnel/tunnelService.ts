// Runs the tunnel for an instance: the localtunnel client, the identity guard on every
// URL it comes up under, and the reachability check while it is online. A tunnel under
// another URL than the instance's identity pauses federation (inbox 503, deliveries
// wait) and says why; nothing is built from the tunnel's URL but that check.
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger';
import type { ReachabilityDto, TunnelState, TunnelStatusDto } from '../../../shared/dto';
import { TunnelClient, validateSubdomain, waitForTunnelState, type TunnelClientOptions } from './tunnelClient';
import { checkTunnelIdentity, subdomainOf } from './identityGuard';
import { ReachabilityMonitor } from './reachability';
import { DEFAULT_TUNNEL } from '../config';
import { DomainError } from '../errors';

export interface TunnelHost {
  /** The identity origin in use (the pinned one once federated). */
  identityOrigin(): string;
  actorUri(): string;
  /** No followers and no follows: nobody would lose track of a new address. */
  canRepin(): boolean;
  /** Pauses (reason) or resumes (null) federation on behalf of the tunnel. */
  setTunnelBlock(reason: string | null): void;
  localPort(): number;
  bindAddress(): string;
  log: Logger;
}

export interface TunnelServiceOptions {
  host?: string;
  subdomain?: string;
  /** Extra options for the client (tests: shorter deadlines). */
  client?: Partial<TunnelClientOptions>;
  reachabilityIntervalMs?: number;
  /** Told when the user starts or stops the tunnel (to remember it). */
  onUserChange?: (cfg: { enabled: boolean; host: string; subdomain: string | null }) => void;
}

/** A tunnel setting that cannot work (bad server address or subdomain). */
export class TunnelError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
  }
}

export class TunnelService extends EventEmitter<{ status: [TunnelStatusDto] }> {
  private client: TunnelClient | undefined;
  private host: string;
  private subdomain: string | null;
  private identityProblem: TunnelStatusDto['identityProblem'] = null;
  private readonly reachability: ReachabilityMonitor;

  constructor(private readonly h: TunnelHost, private readonly opts: TunnelServiceOptions = {}) {
    super();
    this.host = opts.host ?? DEFAULT_TUNNEL.host;
    this.subdomain = opts.subdomain ?? subdomainOf(h.identityOrigin());
    this.reachability = new ReachabilityMonitor({ actorUri: () => h.actorUri(), intervalMs: opts.reachabilityIntervalMs });
    this.reachability.on('report', () => this.emitStatus());
  }

  status(): TunnelStatusDto {
    const r = this.reachability.last;
    const reachability: ReachabilityDto | null = r ? { reachable: r.reachable, checkedAt: r.checkedAt, latencyMs: r.latencyMs, error: r.error } : null;
    return {
      state: this.client?.state ?? { status: 'off' }, host: this.host, subdomain: this.subdomain,
      identityProblem: this.identityProblem, reachability, publicUrl: this.h.identityOrigin(),
    };
  }

  /** Starts the tunnel, or reconnects it with a new server/subdomain ("retry for my subdomain"). */
  async start(change: { host?: string; subdomain?: string } = {}): Promise<TunnelStatusDto> {
    if (change.subdomain !== undefined) {
      const problem = validateSubdomain(change.subdomain);
      if (problem) throw new TunnelError(problem);
      this.subdomain = change.subdomain;
    }
    if (change.host !== undefined) {
      if (!/^https?:\/\/[^/]+\/?$/i.test(change.host)) throw new TunnelError(`tunnel host must be an http(s) origin, got "${change.host}"`);
      this.host = change.host.replace(/\/$/, '');
    }
    if (this.client) {
      await this.client.stop();
      this.client.removeAllListeners();
    }
    this.client = new TunnelClient({
      localPort: this.h.localPort(), localHost: this.h.bindAddress(), host: this.host, subdomain: this.subdomain ?? undefined,
      log: this.h.log, ...this.opts.client,
    });
    const client = this.client;
    client.on('state', (s) => this.onState(s));
    void client.start();
    this.opts.onUserChange?.({ enabled: true, host: this.host, subdomain: this.subdomain });
    // Report the attempt under way rather than the 'off' of a client that is just starting.
    await waitForTunnelState(client, (s): s is TunnelState => s.status !== 'off', 1000).catch(() => {});
    return this.status();
  }

  /** Takes over a client already started (headless --tunnel starts it before the instance). */
  adopt(client: TunnelClient): void {
    this.client = client;
    client.on('state', (s) => this.onState(s));
    this.onState(client.state);
  }

  /** Stops the tunnel because the user asked (remembered: it stays off at the next launch). */
  async stopByUser(): Promise<TunnelStatusDto> {
    const status = await this.stop();
    this.opts.onUserChange?.({ enabled: false, host: this.host, subdomain: this.subdomain });
    return status;
  }

  async stop(): Promise<TunnelStatusDto> {
    this.reachability.stop();
    if (this.client) await this.client.stop();
    if (this.identityProblem) {
      this.identityProblem = null;
      this.h.setTunnelBlock(null);
    }
    this.emitStatus();
    return this.status();
  }

  private onState(s: TunnelState): void {
    if (s.status === 'online') {
      const decision = checkTunnelIdentity({ pinnedOrigin: this.h.identityOrigin(), tunnelUrl: s.url, canRepin: this.h.canRepin() });
      if (decision.kind === 'mismatch') {
        const message = decision.canRepin
          ? `${decision.message} To re-pin, restart Outpost: the app starts under the tunnel's address (headless: --tunnel, or --public-url ${decision.got}).`
          : decision.message;
        this.identityProblem = { pinned: decision.pinned, got: decision.got, canRepin: decision.canRepin, message };
        this.h.setTunnelBlock(message);
        this.h.log.warn(`tunnel: ${message}`);
        this.reachability.stop();
      } else {
        if (this.identityProblem) this.h.setTunnelBlock(null);
        this.identityProblem = null;
        this.h.log.info(`tunnel: online at ${s.url}`);
        this.reachability.start();
      }
    } else if (s.status === 'off' || s.status === 'error') {
      this.reachability.stop();
    }
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }
}
