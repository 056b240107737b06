// newId: time-sortable, unique within a millisecond, random tails drawn from a pool that
// refills (more ids than one pool holds are still all different).
import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/main/core/ids';

describe('newId', () => {
  it('sorts by time, then by order within a millisecond, and never repeats', () => {
    const ids = [...Array.from({ length: 3000 }, () => newId(1_700_000_000_000)), ...Array.from({ length: 3000 }, () => newId(1_700_000_000_001))];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{12}[0-9a-f]{8}$/);
  });

  it('the random tails differ across pool refills', () => {
    const tails = new Set(Array.from({ length: 2000 }, (_, i) => newId(1_800_000_000_000 + i).slice(12)));
    expect(tails.size).toBeGreaterThan(1990);
  });
});
