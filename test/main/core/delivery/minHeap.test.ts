import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../../src/main/core/delivery/minHeap';

describe('MinHeap', () => {
  it('pops values in key order, equal keys included', () => {
    const heap = new MinHeap<string>();
    const keys = [5, 3, 9, 1, 3, 7, 0, 8, 2, 6, 4, 3];
    keys.forEach((k, i) => heap.push(k, `v${i}`));
    expect(heap.size).toBe(keys.length);
    expect(heap.peekKey()).toBe(0);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(keys[Number(heap.pop()!.slice(1))]!);
    expect(popped).toEqual([...keys].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekKey()).toBeUndefined();
  });

  it('stays ordered when pushes and pops interleave', () => {
    const heap = new MinHeap<number>();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) % 1000;
    const shadow: number[] = [];
    for (let i = 0; i < 500; i++) {
      if (shadow.length > 0 && random() < 400) {
        shadow.sort((a, b) => a - b);
        expect(heap.pop()).toBe(shadow.shift());
      } else {
        const k = random();
        heap.push(k, k);
        shadow.push(k);
      }
    }
  });
});
