import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from '../../../src/renderer/src/lib/route';

const VIEWS = ['home', 'thread', 'search'] as const;

describe('window routes', () => {
  it('reads a view, and a view with its argument', () => {
    expect(parseRoute('#/search', VIEWS, 'home')).toEqual({ view: 'search', arg: null });
    expect(parseRoute('#/thread/https%3A%2F%2Fa.example%2Fnotes%2F1', VIEWS, 'home'))
      .toEqual({ view: 'thread', arg: 'https://a.example/notes/1' });
  });

  it('round-trips arguments with slashes, spaces, # and non-Latin text', () => {
    for (const arg of ['https://b.example/@bob/1?x=1#frag', '#café', 'مرحبا بالعالم', 'a/b/c']) {
      expect(parseRoute(routeHash({ view: 'search', arg }), VIEWS, 'home')).toEqual({ view: 'search', arg });
    }
  });

  it('falls back on unknown views and damaged encodings without throwing', () => {
    expect(parseRoute('', VIEWS, 'home')).toEqual({ view: 'home', arg: null });
    expect(parseRoute('#token=abc', VIEWS, 'home')).toEqual({ view: 'home', arg: null });
    expect(parseRoute('#/nowhere/x', VIEWS, 'home')).toEqual({ view: 'home', arg: null });
    expect(parseRoute('#/thread/%E0%A4%A', VIEWS, 'home')).toEqual({ view: 'thread', arg: null });
    expect(parseRoute('#/thread/', VIEWS, 'home')).toEqual({ view: 'thread', arg: null });
  });
});
