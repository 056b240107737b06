// Whether this instance may federate now, in one object: the identity pin (the first
// origin that federated is kept for good), a start under another address (paused until a
// restart), and the tunnel coming up under an address that is not ours (paused until it
// is). The inbox answers 503 with `retryAfterSeconds()` while paused; the delivery engine
// holds its work; the admin API refuses what would federate.
import type { Db } from '../store/database';
import type { PublicServerConfig } from '../config';
import type { FederationState } from '../../../shared/dto';

const PINNED_KEY = 'pinned_origin';

export function pinnedOrigin(db: Db): string | null {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(PINNED_KEY)?.value ?? null;
}

/** Pins the origin the first time the instance federates; later calls keep the first. */
export function pinOrigin(db: Db, origin: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(PINNED_KEY, origin);
}

/** Why a start under `origin` may not federate, or null when it may. */
function startMismatch(pinned: string | null, origin: string): string | null {
  if (!pinned || pinned === origin) return null;
  return `This instance's identity is ${pinned} (its followers and follows know it by that address), ` +
    `but it was started as ${origin}. Federation is paused so that nothing is sent or accepted under the wrong ` +
    `identity. Start it again with --public-url ${pinned}.`;
}

export type RetryAfterConfig = Pick<PublicServerConfig, 'pausedByTunnelRetryAfterSeconds' | 'pausedAtStartRetryAfterSeconds'>;

export class FederationGate {
  /** Set at start when the pinned identity is not the address we were started under; only a restart clears it. */
  private readonly atStart: string | null;
  /** Set while the tunnel's address is not our identity. */
  private tunnelBlock: string | null = null;
  private readonly listeners = new Set<(paused: boolean) => void>();

  constructor(private readonly db: Db, requestedOrigin: string, private readonly config: RetryAfterConfig) {
    this.atStart = startMismatch(pinnedOrigin(db), requestedOrigin);
  }

  /** The identity origin: the pinned one once federated, else the one we were started with. */
  static identityOrigin(db: Db, requestedOrigin: string): string {
    return pinnedOrigin(db) ?? requestedOrigin;
  }

  /** Null while federating is allowed; otherwise why it is paused. */
  get reason(): string | null {
    return this.atStart ?? this.tunnelBlock;
  }

  get paused(): boolean {
    return this.reason !== null;
  }

  get state(): FederationState {
    const reason = this.reason;
    return { enabled: reason === null, reason, pinnedOrigin: pinnedOrigin(this.db) };
  }

  /** What the inbox's 503 asks senders to wait: short for a tunnel that may come back, long for a restart. */
  retryAfterSeconds(): number {
    return this.atStart === null ? this.config.pausedByTunnelRetryAfterSeconds : this.config.pausedAtStartRetryAfterSeconds;
  }

  /** The tunnel's verdict: null when its address is our identity, else why it is not. */
  setTunnelBlock(reason: string | null): void {
    const before = this.paused;
    this.tunnelBlock = reason;
    if (this.paused !== before) for (const l of this.listeners) l(this.paused);
  }

  /** Calls `listener(paused)` whenever the answer changes; returns the unsubscribe. */
  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
