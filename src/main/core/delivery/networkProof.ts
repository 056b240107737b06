// Proof that this computer's network works, for when every server Outpost recently reached
// fails at once (connectivity.ts). A personal instance talks to few hosts: one or two peers
// down must not read as "this computer is offline". Any one of these proves the network:
//  - the tunnel is connected (its server keeps a live connection to us);
//  - the tunnel server's name resolves (DNS answers: the network is there);
//  - a well-known name accepts a TCP connection (DeliveryConfig.connectivity.wellKnownOrigins,
//    none by default: naming a third party is the user's choice).
// Without proof the engine pauses as before, but says only that no server answers.
import { lookup } from 'node:dns/promises';
import type { TunnelStatusDto } from '../../../shared/dto';

export interface NetworkProofOptions {
  /** The tunnel, when one is configured: whether it is connected, and its server's origin. */
  tunnel: () => { connected: boolean; origin: string } | undefined;
  /** Origins worth a TCP connect (read at each check). */
  wellKnownOrigins: () => readonly string[];
  /** A guarded TCP connect (HttpClient.canConnect with the probe deadline). */
  canConnect: (origin: string) => Promise<boolean>;
  /** Resolves a name; throws when it cannot. Default: the system resolver. */
  resolve?: (hostname: string) => Promise<unknown>;
  /** Deadline for the name lookup. */
  timeoutMs: number;
}

/** What proves the network works now (for the log), or null when nothing does. */
export type NetworkProof = () => Promise<string | null>;

export function networkProof(o: NetworkProofOptions): NetworkProof {
  const resolve = o.resolve ?? ((hostname: string) => lookup(hostname));
  return async () => {
    const tunnel = o.tunnel();
    if (tunnel?.connected) return 'the tunnel is connected';
    const checks: Promise<string | null>[] = [];
    if (tunnel) {
      const name = new URL(tunnel.origin).hostname;
      checks.push(withDeadline(resolve(name), o.timeoutMs).then((ok) => (ok ? `${name} resolves` : null)));
    }
    for (const origin of o.wellKnownOrigins()) {
      checks.push(o.canConnect(origin).catch(() => false).then((ok) => (ok ? `${origin} answers` : null)));
    }
    const found = await Promise.all(checks);
    return found.find((f) => f !== null) ?? null;
  };
}

function withDeadline(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  return Promise.race([p.then(() => true, () => false), late]).finally(() => clearTimeout(timer));
}

/** The tunnel as a proof sees it: undefined when it is off. */
export function tunnelForProof(s: TunnelStatusDto): { connected: boolean; origin: string } | undefined {
  return s.state.status === 'off' ? undefined : { connected: s.state.status === 'online', origin: s.host };
}
