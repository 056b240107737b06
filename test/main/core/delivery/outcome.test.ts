import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter } from '../../../../src/main/core/delivery/outcome';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0); // Wed, 21 Oct 2015 07:28:00 GMT

describe('classifyStatus', () => {
  it('2xx is delivered', () => {
    for (const s of [200, 201, 202, 204]) expect(classifyStatus(s)).toEqual({ kind: 'delivered', status: s });
  });

  it('410 means the inbox is gone', () => {
    expect(classifyStatus(410)).toEqual({ kind: 'gone', status: 410, errorClass: 'gone', error: 'HTTP 410' });
  });

  it('other client errors are permanent', () => {
    for (const s of [400, 403, 404, 405, 413, 422]) {
      expect(classifyStatus(s, '60', NOW)).toEqual({ kind: 'permanent', status: s, errorClass: 'http_4xx', error: `HTTP ${s}` });
    }
  });

  it('401, 408, 429 and server errors are retried', () => {
    for (const s of [401, 408, 429, 500, 502, 503, 504]) {
      const errorClass = s >= 500 ? 'http_5xx' : `http_${s}`;
      expect(classifyStatus(s, undefined, NOW)).toEqual({ kind: 'retry', status: s, errorClass, error: `HTTP ${s}` });
    }
  });

  it('redirects and informational answers are retried, not taken as delivered', () => {
    for (const s of [100, 301, 302, 307, 308]) expect(classifyStatus(s).kind).toBe('retry');
  });

  it('carries Retry-After on retries, in seconds or as an HTTP-date', () => {
    expect(classifyStatus(429, '120', NOW)).toEqual({ kind: 'retry', status: 429, errorClass: 'http_429', error: 'HTTP 429', retryAfterMs: 120_000 });
    expect(classifyStatus(503, 'Wed, 21 Oct 2015 07:30:00 GMT', NOW)).toMatchObject({ kind: 'retry', retryAfterMs: 120_000 });
    expect(classifyStatus(503, ['30', '90'], NOW)).toMatchObject({ retryAfterMs: 30_000 });
    expect(classifyStatus(503, 'garbage', NOW)).not.toHaveProperty('retryAfterMs');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5000);
  });

  it('reads an IMF-fixdate relative to the injected now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:30:00 GMT', NOW)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:30:00 GMT', NOW + 60_000)).toBe(60_000);
  });

  it('reads the obsolete RFC 850 and asctime forms (asctime is GMT)', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:30:00 GMT', NOW)).toBe(120_000);
    expect(parseRetryAfter('Wed Oct 21 07:30:00 2015', NOW)).toBe(120_000);
  });

  it('clamps a date in the past to 0', () => {
    expect(parseRetryAfter('Tue, 20 Oct 2015 07:30:00 GMT', NOW)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const v of [undefined, '', '  ', 'soon', '-1', '1.5', '12abc', '2015-10-21T07:30:00Z', 'NaN']) {
      expect(parseRetryAfter(v, NOW), JSON.stringify(v)).toBeUndefined();
    }
  });
});
