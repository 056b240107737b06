// A binary min-heap of values ordered by a numeric key (the delivery engine's host timers).
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly values: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The smallest key, or undefined when empty. */
  peekKey(): number | undefined {
    return this.keys[0];
  }

  push(key: number, value: T): void {
    this.keys.push(key);
    this.values.push(value);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.move(parent, i);
      i = parent;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  /** Removes and returns the value with the smallest key. */
  pop(): T | undefined {
    const top = this.values[0];
    const key = this.keys.pop();
    const value = this.values.pop();
    const n = this.keys.length;
    if (n > 0 && key !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = l < n && this.keys[l]! < key ? l : -1;
        if (r < n && this.keys[r]! < (m < 0 ? key : this.keys[m]!)) m = r;
        if (m < 0) break;
        this.move(m, i);
        i = m;
      }
      this.keys[i] = key;
      this.values[i] = value!;
    }
    return top;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.values[to] = this.values[from]!;
  }
}
