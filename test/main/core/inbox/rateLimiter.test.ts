// Token buckets: a burst, then one request per refill interval; refusals say when to come back.
import { describe, expect, it } from 'vitest';
import { InboxRateLimiter, TokenBuckets } from '../../../../src/main/core/inbox/rateLimiter';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses until a token is back, and says in how many seconds', () => {
    const b = new TokenBuckets({ burst: 3, perSecond: 0.5 }, 10);
    expect([0, 0, 0].map(() => b.take('h', 0))).toEqual([0, 0, 0]);
    expect(b.take('h', 0)).toBe(2); // one token takes 2 s at 0.5/s
    expect(b.take('h', 1000)).toBe(1); // half a token back: 1 s to go
    expect(b.take('h', 2000)).toBe(0);
    expect(b.take('h', 2000)).toBe(2);
  });

  it('never holds more than its burst, however long a key was idle', () => {
    const b = new TokenBuckets({ burst: 2, perSecond: 1 }, 10);
    b.take('h', 0);
    expect([b.take('h', 3_600_000), b.take('h', 3_600_000), b.take('h', 3_600_000)]).toEqual([0, 0, 1]);
  });

  it('keeps keys apart, and forgets the least recently seen past its cap', () => {
    const b = new TokenBuckets({ burst: 1, perSecond: 0.001 }, 2);
    expect([b.take('a', 0), b.take('b', 0), b.take('a', 0)]).toEqual([0, 0, 1000]);
    b.take('c', 0); // evicts b (a was seen more recently)
    expect(b.take('a', 0)).toBe(1000);
    expect(b.take('b', 0)).toBe(0); // forgotten: starts full
  });
});

describe('InboxRateLimiter', () => {
  const limiter = () => new InboxRateLimiter({
    perHost: { burst: 3, perSecond: 1 }, perKey: { burst: 2, perSecond: 1 }, overall: { burst: 5, perSecond: 1 }, maxTracked: 100,
  });

  it('names the scope that refused: the key, the host, then everyone', () => {
    const l = limiter();
    expect(l.admit('a.example', 'k1', 0)).toEqual({ ok: true });
    expect(l.admit('a.example', 'k1', 0)).toEqual({ ok: true });
    expect(l.admit('a.example', 'k1', 0)).toMatchObject({ ok: false, scope: 'key k1', retryAfterSeconds: 1 });
    expect(l.admit('a.example', 'k2', 0)).toMatchObject({ ok: false, scope: 'host a.example' });
    // Everyone together: 5 at once, of which a.example took 2.
    expect(['b', 'c', 'd'].map((h) => l.admit(`${h}.example`, `k-${h}`, 0).ok)).toEqual([true, true, true]);
    expect(l.admit('e.example', 'k-e', 0)).toMatchObject({ ok: false, scope: 'all senders' });
  });
});
