// What both specs share: header lookup, the time window, key loading, body rules.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkExpires,
  checkWindow,
  headerValue,
  loadPublicKey,
  needsDigest,
} from '../../../../../src/main/core/federation/signatures/common';

/** Matches a thrown SignatureError with this code. */
const withCode = (code: string) => expect.objectContaining({ name: 'SignatureError', code });

describe('headerValue', () => {
  it('finds a header by any case, trims, and joins repeated ones', () => {
    const headers = { host: ' a.example ', 'X-Thing': 'b', multi: [' 1', '2 '], empty: [] };
    expect(headerValue(headers, 'Host')).toBe('a.example');
    expect(headerValue(headers, 'x-thing')).toBe('b');
    expect(headerValue(headers, 'multi')).toBe('1, 2');
    expect(headerValue(headers, 'empty')).toBeUndefined();
    expect(headerValue(headers, 'missing')).toBeUndefined();
  });
});

describe('the time window', () => {
  const window = { signatureMaxAgeMs: 60_000, signatureMaxFutureSkewMs: 5_000 };
  const now = 1_000_000_000;
  it('accepts what lies inside it, edges included', () => {
    expect(() => checkWindow(now - 60_000, now, window, 'Date header')).not.toThrow();
    expect(() => checkWindow(now + 5_000, now, window, 'Date header')).not.toThrow();
  });

  it('refuses what is too old or too far ahead, naming it', () => {
    expect(() => checkWindow(now - 60_001, now, window, 'Date header')).toThrow(withCode('stale_date'));
    expect(() => checkWindow(now + 5_001, now, window, 'x')).toThrow(withCode('future_date'));
    expect(() => checkWindow(now - 60_001, now, window, '(created)')).toThrow('(created) is too old');
  });

  it('refuses an expired signature', () => {
    expect(() => checkExpires(undefined, now)).not.toThrow();
    expect(() => checkExpires(now / 1000, now)).not.toThrow();
    expect(() => checkExpires(now / 1000 - 1, now)).toThrow(withCode('stale_date'));
  });
});

describe('loadPublicKey', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  it('takes a PEM, a public KeyObject (as is) or a private one (its public half)', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(loadPublicKey(pem).equals(publicKey)).toBe(true);
    expect(loadPublicKey(publicKey)).toBe(publicKey);
    expect(loadPublicKey(privateKey).equals(publicKey)).toBe(true);
  });

  it('bad_key for what is not a key', () => {
    expect(() => loadPublicKey('not a key')).toThrow(withCode('bad_key'));
    expect(() => loadPublicKey('not a key')).toThrow(withCode('bad_key')); // a failure is not remembered as a key
  });

  it('parses a PEM once: the same text gives the same KeyObject, another key its own', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const first = loadPublicKey(pem);
    expect(loadPublicKey(`${pem}`)).toBe(first);
    const other = generateKeyPairSync('ed25519').publicKey;
    const otherKey = loadPublicKey(other.export({ type: 'spki', format: 'pem' }) as string);
    expect(otherKey).not.toBe(first);
    expect(otherKey.equals(other)).toBe(true);
  });
});

describe('needsDigest', () => {
  it('for methods with a body, and for any request that has body bytes', () => {
    expect(needsDigest('post')).toBe(true);
    expect(needsDigest('PUT', '')).toBe(true);
    expect(needsDigest('GET')).toBe(false);
    expect(needsDigest('GET', '')).toBe(false);
    expect(needsDigest('GET', 'x')).toBe(true);
  });
});
