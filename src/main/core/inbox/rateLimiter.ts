// Token buckets for the inbox: per remote host, per signing key, and overall. Checked on
// the signature header alone, before any key fetch, digest or JSON work, so a flood costs
// a map lookup per request. A refused request is told when a token will be back.

import type { BucketPolicy, InboxRateLimits } from '../config';

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number; scope: string };

/** Buckets for any number of keys; the least recently used are dropped past `maxKeys` (a dropped bucket starts full). */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly policy: BucketPolicy, private readonly maxKeys: number) {}

  /** Seconds until `key` has a token again, after taking one if it had one (0 = allowed). */
  take(key: string, now: number): number {
    const { burst, perSecond } = this.policy;
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: Map order is recency
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
    } else {
      b = { tokens: burst, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }
}

/** The inbox's three limits, checked cheapest-first; a refusal names the scope that refused. */
export class InboxRateLimiter {
  private readonly hosts: TokenBuckets;
  private readonly keys: TokenBuckets;
  private readonly overall: TokenBuckets;

  constructor(limits: InboxRateLimits) {
    this.hosts = new TokenBuckets(limits.perHost, limits.maxTracked);
    this.keys = new TokenBuckets(limits.perKey, limits.maxTracked);
    this.overall = new TokenBuckets(limits.overall, 1);
  }

  admit(host: string, keyId: string, now: number): Admission {
    const byHost = this.hosts.take(host, now);
    if (byHost > 0) return { ok: false, retryAfterSeconds: byHost, scope: `host ${host}` };
    const byKey = this.keys.take(keyId, now);
    if (byKey > 0) return { ok: false, retryAfterSeconds: byKey, scope: `key ${keyId}` };
    const all = this.overall.take('', now);
    if (all > 0) return { ok: false, retryAfterSeconds: all, scope: 'all senders' };
    return { ok: true };
  }
}
