// Attempts that got no usable HTTP answer (outcome.test.ts covers the statuses).
import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus, NETWORK_CLASSES } from '../../../../src/main/core/delivery/outcome';
import { FetchError } from '../../../../src/main/core/federation/httpClient';

const coded = (code: string, message = `failed: ${code}`) => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNRESET', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
  ])('%s is retried as %s (a network class)', (code, errorClass) => {
    const o = classifyError(coded(code));
    expect(o).toMatchObject({ kind: 'retry', status: null, errorClass });
    expect(NETWORK_CLASSES.has(o.kind === 'delivered' ? 'other' : o.errorClass)).toBe(true);
  });

  it('reads the code from the cause, as fetch-style errors carry it', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: coded('ECONNREFUSED') });
    expect(classifyError(err)).toMatchObject({ kind: 'retry', errorClass: 'refused' });
  });

  it('reads HttpClient FetchErrors: timeout, network with a code, blocked and invalid', () => {
    expect(classifyError(new FetchError('x.test timed out', 'timeout', undefined, 'TimeoutError'))).toMatchObject({ kind: 'retry', errorClass: 'timeout' });
    expect(classifyError(new FetchError('x.test: refused', 'network', undefined, 'ECONNREFUSED'))).toMatchObject({ kind: 'retry', errorClass: 'refused' });
    expect(classifyError(new FetchError('x.test: nxdomain', 'network', undefined, 'ENOTFOUND'))).toMatchObject({ kind: 'retry', errorClass: 'dns' });
    expect(classifyError(new FetchError('10.0.0.1 is a private address', 'blocked'))).toMatchObject({ kind: 'permanent', errorClass: 'blocked' });
    expect(classifyError(new FetchError('not a URL', 'invalid'))).toMatchObject({ kind: 'permanent', errorClass: 'invalid' });
  });

  it('names the error code once (the host drawer printed ECONNREFUSED twice)', () => {
    const err = new FetchError('127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9', 'network', undefined, 'ECONNREFUSED');
    const o = classifyError(err);
    expect(o.kind !== 'delivered' && o.error).toBe('127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9');
    const bare = classifyError(coded('ECONNRESET', 'socket hang up'));
    expect(bare.kind !== 'delivered' && bare.error).toBe('ECONNRESET: socket hang up');
  });

  it('TLS failures are retried, but are not a sign of being offline', () => {
    for (const err of [coded('CERT_HAS_EXPIRED'), coded('ERR_TLS_CERT_ALTNAME_INVALID'), coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')]) {
      const o = classifyError(err);
      expect(o).toMatchObject({ kind: 'retry', errorClass: 'tls' });
      expect(NETWORK_CLASSES.has('tls')).toBe(false);
    }
  });

  it('anything else is retried as other', () => {
    expect(classifyError(new Error('boom'))).toMatchObject({ kind: 'retry', status: null, errorClass: 'other' });
    expect(classifyError('weird')).toMatchObject({ kind: 'retry', errorClass: 'other' });
  });

  it('an answer whose body was over the cap is classified by its status', () => {
    expect(classifyError(new FetchError('big', 'too_large', 202))).toEqual(classifyStatus(202));
    expect(classifyError(new FetchError('big', 'too_large', 503))).toMatchObject({ kind: 'retry', status: 503, errorClass: 'http_5xx' });
    expect(classifyError(new FetchError('big', 'too_large', 404))).toMatchObject({ kind: 'permanent', status: 404 });
  });
});
