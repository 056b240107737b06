// The activity reader's caps, and the nesting scan that runs before JSON.parse.
import { describe, expect, it } from 'vitest';
import { ActivityShapeError, nestingDepth, parseActivity } from '../../../../src/main/core/inbox/boundedJson';
import { DEFAULT_INBOX } from '../../../../src/main/core/config';

const depth = (s: string, limit = 100) => nestingDepth(Buffer.from(s), limit);
const shapeError = (s: string) => {
  try {
    parseActivity(Buffer.from(s), DEFAULT_INBOX.shape);
    return undefined;
  } catch (err) {
    return err instanceof ActivityShapeError ? { status: err.status, message: err.message } : err;
  }
};

describe('nestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(depth('{}')).toBe(1);
    expect(depth('{"a":[{"b":[]}]}')).toBe(4);
    expect(depth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(depth('{"a":"\\"[[[[","b":[1]}')).toBe(2);
    expect(depth('{"a":"\\\\","b":[[1]]}')).toBe(3);
  });

  it('stops at the first level past the limit', () => {
    expect(depth('['.repeat(1_000_000), 64)).toBe(65);
  });
});

describe('parseActivity', () => {
  it('takes an ordinary activity', () => {
    expect(parseActivity(Buffer.from('{"id":"https://a.example/1","type":"Like","to":["x"]}'), DEFAULT_INBOX.shape))
      .toEqual({ id: 'https://a.example/1', type: 'Like', to: ['x'] });
  });

  it('refuses what is not a JSON object with 400', () => {
    for (const s of ['', '{', 'null', '[]', '"x"', '42', '{"a":1}x']) expect(shapeError(s), s).toMatchObject({ status: 400 });
  });

  it('refuses what is over a cap with 413, at the cap it is fine', () => {
    expect(shapeError(`{"a":${'['.repeat(63)}${']'.repeat(63)}}`)).toBeUndefined();
    expect(shapeError(`{"a":${'['.repeat(64)}${']'.repeat(64)}}`)).toMatchObject({ status: 413 });
    expect(shapeError(JSON.stringify({ a: new Array(10_000).fill(1) }))).toBeUndefined();
    expect(shapeError(JSON.stringify({ a: { b: new Array(10_001).fill(1) } }))).toMatchObject({ status: 413 });
    expect(shapeError(JSON.stringify({ cc: new Array(1000).fill('x') }))).toBeUndefined();
    expect(shapeError(JSON.stringify({ object: { bcc: new Array(1001).fill('x') } }))).toMatchObject({ status: 413, message: 'bcc has more than 1000 entries' });
    expect(shapeError(JSON.stringify({ object: { summaryMap: { en: 'x'.repeat(256 * 1024 + 1) } } }))).toMatchObject({ status: 413 });
  });
});
