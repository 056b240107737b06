// Digest (RFC 3230) and Content-Digest (RFC 9530): one algorithm table, one comparison.
import { describe, expect, it } from 'vitest';
import {
  contentDigestHeader,
  contentDigestMatches,
  digestHeader,
  digestMatches,
} from '../../../../../src/main/core/federation/signatures/digest';

/** RFC 9421 Appendix B.2's example body and its Content-Digest. */
const B2_BODY = '{"hello": "world"}';
const B2_CONTENT_DIGEST =
  'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

describe('digest helpers', () => {
  it('digestMatches handles several algorithms and case', () => {
    const body = new TextEncoder().encode('abc');
    const sha256 = digestHeader(body).slice('SHA-256='.length);
    const sha512 =
      '3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==';
    expect(digestHeader('abc')).toBe(`SHA-256=${sha256}`);
    expect(digestMatches(`sha-256=${sha256}`, 'abc')).toBe(true);
    expect(digestMatches(`SHA-256=${sha256},SHA-512=${sha512}`, body)).toBe(true);
    expect(digestMatches(`SHA-512=${sha512}`, body)).toBe(true);
    expect(digestMatches(`MD5=kAFQmDzST7DWlj99KOF/cg==, SHA-256=${sha256}`, body)).toBe(true);
    expect(digestMatches('MD5=kAFQmDzST7DWlj99KOF/cg==', body)).toBe(false);
    expect(digestMatches(`SHA-256=${sha256}`, 'abd')).toBe(false);
    expect(digestMatches('', body)).toBe(false);
  });
});

describe('Content-Digest', () => {
  it('the RFC Content-Digest (sha-512) matches the body', () => {
    const digest = B2_CONTENT_DIGEST;
    expect(contentDigestMatches(digest, B2_BODY)).toBe(true);
    expect(contentDigestMatches(digest, `${B2_BODY} `)).toBe(false);
    expect(contentDigestHeader(B2_BODY, 'sha-512')).toBe(digest);
  });

  it('needs every known entry to match, ignores unknown ones, refuses what is not a digest', () => {
    const sha256 = contentDigestHeader('abc');
    const sha512 = contentDigestHeader('abc', 'sha-512');
    expect(contentDigestMatches(`${sha256}, ${sha512}`, 'abc')).toBe(true);
    expect(contentDigestMatches(`md5=:kAFQmDzST7DWlj99KOF/cg==:, ${sha256}`, 'abc')).toBe(true);
    expect(contentDigestMatches('md5=:kAFQmDzST7DWlj99KOF/cg==:', 'abc')).toBe(false);
    expect(contentDigestMatches(`${sha256}, ${contentDigestHeader('abd', 'sha-512')}`, 'abc')).toBe(false);
    expect(contentDigestMatches('sha-256="not bytes"', 'abc')).toBe(false);
    expect(contentDigestMatches('sha-256=:AAAA:', 'abc')).toBe(false);
    expect(contentDigestMatches('not a dictionary!', 'abc')).toBe(false);
    expect(contentDigestMatches('', 'abc')).toBe(false);
  });

  it('digests bytes and strings alike, and a Uint8Array view by its own bytes only', () => {
    const bytes = new TextEncoder().encode('xxabcxx').subarray(2, 5);
    expect(contentDigestHeader(bytes)).toBe(contentDigestHeader('abc'));
    expect(digestHeader(bytes)).toBe(digestHeader('abc'));
    expect(digestMatches(digestHeader('abc'), bytes)).toBe(true);
  });
});
