// Which key events are shortcuts (not typing), and where j/k move.
import { describe, expect, it } from 'vitest';
import { nextPost, SHORTCUTS } from '../../../src/renderer/src/lib/keys';

describe('shortcuts', () => {
  it('j/k move through the posts in order, stopping at the ends; with none focused j starts at the first and k at the last', () => {
    const cards = [1, 2, 3].map((n) => ({ n, contains: (x: unknown) => x === `inside-${n}` })) as unknown as HTMLElement[];
    expect(nextPost(cards, cards[0]!, 1)).toBe(cards[1]);
    expect(nextPost(cards, cards[2]!, 1)).toBe(cards[2]);
    expect(nextPost(cards, cards[0]!, -1)).toBe(cards[0]);
    expect(nextPost(cards, 'inside-2' as unknown as Element, 1)).toBe(cards[2]);
    expect(nextPost(cards, null, 1)).toBe(cards[0]);
    expect(nextPost(cards, null, -1)).toBe(cards[2]);
    expect(nextPost([], null, 1)).toBeUndefined();
  });

  it('the help lists every key once', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of ['j', 'k', 'r', 'f', 'b', 'n', '/', '?']) expect(keys).toContain(k);
  });
});
