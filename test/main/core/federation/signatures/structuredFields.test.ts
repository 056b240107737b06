// The RFC 8941 subset RFC 9421 and RFC 9530 need: dictionaries, inner lists, parameters,
// bare items, and each member's raw text (signed as @signature-params).
import { describe, expect, it } from 'vitest';
import {
  isKey,
  parseDictionary,
  serializeString,
  StructuredFieldError,
} from '../../../../../src/main/core/federation/signatures/structuredFields';

describe('parseDictionary', () => {
  it('parses every bare item type, with parameters', () => {
    const d = parseDictionary('a=1, b=-2.5, c="x\\"y", d=tok/en:1, e=:AQID:, f=?0, g;p=1;q');
    expect(d.get('a')).toMatchObject({ kind: 'item', item: { value: { t: 'integer', v: 1 } } });
    expect(d.get('b')).toMatchObject({ kind: 'item', item: { value: { t: 'decimal', v: -2.5 } } });
    expect(d.get('c')).toMatchObject({ kind: 'item', item: { value: { t: 'string', v: 'x"y' } } });
    expect(d.get('d')).toMatchObject({ kind: 'item', item: { value: { t: 'token', v: 'tok/en:1' } } });
    const e = d.get('e');
    expect(e?.kind === 'item' && e.item.value.t === 'bytes' ? [...e.item.value.v] : null).toEqual([1, 2, 3]);
    expect(d.get('f')).toMatchObject({ kind: 'item', item: { value: { t: 'boolean', v: false } } });
    const g = d.get('g');
    expect(g).toMatchObject({ kind: 'item', item: { value: { t: 'boolean', v: true } } });
    expect(g?.kind === 'item' ? Object.fromEntries(g.item.params) : null).toEqual({ p: { t: 'integer', v: 1 }, q: { t: 'boolean', v: true } });
  });

  it('parses inner lists with parameters and keeps their raw text', () => {
    const d = parseDictionary('sig1=("@method" "@target-uri";req);created=1;keyid="k",  sig2=()');
    const sig1 = d.get('sig1');
    expect(sig1?.kind).toBe('list');
    if (sig1?.kind !== 'list') return;
    expect(sig1.items.map((i) => i.value)).toEqual([{ t: 'string', v: '@method' }, { t: 'string', v: '@target-uri' }]);
    expect(sig1.items[1]?.params.get('req')).toEqual({ t: 'boolean', v: true });
    expect(Object.fromEntries(sig1.params)).toEqual({ created: { t: 'integer', v: 1 }, keyid: { t: 'string', v: 'k' } });
    expect(sig1.raw).toBe('("@method" "@target-uri";req);created=1;keyid="k"');
    expect(d.get('sig2')).toMatchObject({ kind: 'list', items: [], raw: '()' });
  });

  it('keeps member order; a repeated key keeps its first place and its last value', () => {
    const d = parseDictionary('b=1, a=2, b=3');
    expect([...d.keys()]).toEqual(['b', 'a']);
    expect(d.get('b')).toMatchObject({ item: { value: { v: 3 } } });
  });

  it('throws StructuredFieldError for what is not a dictionary', () => {
    for (const bad of ['', '   ', 'A=1', 'a=1,', 'a=1 b=2', 'a=("x"', 'a="unterminated', 'a="bad\\escape"', 'a=?2', 'a=:not base64!:', 'a=é', 'a=("x""y")']) {
      expect(() => parseDictionary(bad), bad).toThrow(StructuredFieldError);
    }
  });
});

describe('serializeString and isKey', () => {
  it('quotes and escapes printable ASCII, refuses the rest', () => {
    expect(serializeString('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    expect(() => serializeString('é')).toThrow(StructuredFieldError);
    expect(() => serializeString('a\nb')).toThrow(StructuredFieldError);
  });

  it('knows a key', () => {
    expect(['sig1', 'a', '*x', 'sig-b26', 'a.b_c*'].every(isKey)).toBe(true);
    expect(['', 'Sig1', '1a', 'a b', 'a=b'].some(isKey)).toBe(false);
  });
});
