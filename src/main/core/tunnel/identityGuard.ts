// The public URL is the identity. Once the instance has federated its origin is pinned
// (localActor.ts pins it on the first delivery); a tunnel that comes up elsewhere — the
// subdomain was taken, or the tunnel server changed — must not silently become a new
// identity: followers and follows know the pinned one. This decides what a tunnel URL
// means; pausing federation on a mismatch is the caller's job.

export type IdentityDecision =
  /** The tunnel serves the pinned identity. */
  | { kind: 'ok'; origin: string }
  /** Nothing pinned yet: the tunnel's origin may become the identity. */
  | { kind: 'first-pin'; origin: string }
  /** The tunnel came up under another origin: federation must pause until the user acts. */
  | { kind: 'mismatch'; pinned: string; got: string; canRepin: boolean; message: string };

export interface IdentityCheck {
  /** The pinned origin, or null while the instance has not federated. */
  pinnedOrigin: string | null;
  /** The URL the tunnel server handed out. */
  tunnelUrl: string;
  /** True only while the actor has no followers and follows no one (so nobody would lose track of it). */
  canRepin: boolean;
}

export function checkTunnelIdentity({ pinnedOrigin, tunnelUrl, canRepin }: IdentityCheck): IdentityDecision {
  const got = originOf(tunnelUrl);
  if (!got) {
    const pinned = pinnedOrigin ?? '(none)';
    return {
      kind: 'mismatch', pinned, got: tunnelUrl, canRepin: false,
      message: `The tunnel server handed out "${tunnelUrl}", which is not an http(s) URL. Federation is paused; ` +
        'stop the tunnel and try again, or use another tunnel server.',
    };
  }
  if (!pinnedOrigin) return { kind: 'first-pin', origin: got };
  const pinned = originOf(pinnedOrigin) ?? pinnedOrigin;
  if (pinned === got) return { kind: 'ok', origin: pinned };
  return { kind: 'mismatch', pinned, got, canRepin, message: mismatchMessage(pinned, got, canRepin) };
}

/**
 * The subdomain to ask the tunnel server for so that the tunnel lands on `origin` again
 * (`https://quiet-fox-12.loca.lt` → `quiet-fox-12`), or null when the origin has no subdomain label.
 */
export function subdomainOf(origin: string): string | null {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return null;
  }
  const labels = host.split('.');
  // An IP address or a bare domain (example.com) has no subdomain of ours.
  if (labels.length < 3 || /^\d+$/.test(labels[labels.length - 1]!) || host.includes(':')) return null;
  return labels[0]!;
}

function mismatchMessage(pinned: string, got: string, canRepin: boolean): string {
  const pinnedHost = new URL(pinned).host;
  const gotHost = new URL(got).host;
  const sub = subdomainOf(pinned);
  const sameServer = parentOf(pinnedHost) !== null && parentOf(pinnedHost) === parentOf(gotHost);
  const what = sameServer && sub
    ? `The tunnel came up at ${got} instead of ${pinned}: the subdomain "${sub}" is taken ` +
      '(often by our own previous connection, which the tunnel server keeps for a while after a disconnect).'
    : `The tunnel came up at ${got}, but this instance's identity is ${pinned} (a different address${sameServer ? '' : ' or tunnel server'}).`;
  const paused = ` Followers and follows know this account as ${pinned}, so federation is paused: the inbox answers ` +
    '503 (senders retry later) and outgoing deliveries wait. Nothing is lost.';
  const retry = sameServer && sub
    ? ` Retry to ask for "${sub}" again; it usually frees up within a minute.`
    : ` Reconnect to the tunnel server that serves ${pinnedHost}${sub ? ` and ask for the subdomain "${sub}"` : ''}.`;
  const repin = canRepin
    ? ` Or, since no one follows this account and it follows no one yet, make ${got} the new identity (re-pin).`
    : ' Moving to a new address is not possible while there are followers or follows: they would lose track of this account.';
  return what + paused + retry + repin;
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** `a.loca.lt:443` → `loca.lt:443`; null for a host without a subdomain label. */
function parentOf(host: string): string | null {
  const name = host.replace(/:\d+$/, '');
  const port = host.slice(name.length);
  const labels = name.split('.');
  if (labels.length < 3 || /^\d+$/.test(labels[labels.length - 1]!)) return null;
  return labels.slice(1).join('.') + port;
}
