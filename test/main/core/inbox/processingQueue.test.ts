// The processing order: per sender in arrival order, several senders at once up to the
// cap, each activity within its deadline, and the per-host counts the quota reads.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { ProcessingQueue, type PendingItem } from '../../../../src/main/core/inbox/processingQueue';

function setup(opts: { concurrency?: number; deadlineMs?: number; run?: (item: PendingItem) => Promise<void> } = {}) {
  const db = openDatabase(':memory:');
  const insert = db.prepare('INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, 0)');
  const started: string[] = [];
  const finished: [string, string | null][] = [];
  let running = 0;
  let maxRunning = 0;
  const queue = new ProcessingQueue(db, {
    concurrency: opts.concurrency ?? 2,
    deadlineMs: opts.deadlineMs ?? 5000,
    run: async (item) => {
      started.push(item.uri);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await (opts.run ?? (() => new Promise((r) => setTimeout(r, 5))))(item);
      } finally {
        running--;
      }
    },
    done: (item, error) => {
      finished.push([item.uri, error]);
      db.prepare('UPDATE inbox_items SET processed_at = 1 WHERE activity_uri = ?').run(item.uri);
    },
    onDoneFailed: (item) => finished.push([item.uri, 'not recorded']),
  });
  const add = (actor: string, n: number, body = 'x') => {
    for (let i = 0; i < n; i++) insert.run(`${actor}/a${i}`, actor, body);
  };
  return { queue, add, started, finished, maxRunning: () => maxRunning };
}

describe('ProcessingQueue', () => {
  it("keeps each sender's order, runs senders side by side, never more than the cap", async () => {
    const q = setup({ concurrency: 2 });
    q.add('https://a.example/u', 3);
    q.add('https://b.example/u', 3);
    q.add('https://c.example/u', 3);
    await q.queue.drain();
    expect(q.finished).toHaveLength(9);
    for (const s of ['a', 'b', 'c']) {
      expect(q.started.filter((u) => u.includes(`//${s}.`))).toEqual([0, 1, 2].map((i) => `https://${s}.example/u/a${i}`));
    }
    expect(q.maxRunning()).toBe(2);
    // b's first activity starts before a's last: senders interleave.
    expect(q.started.indexOf('https://b.example/u/a0')).toBeLessThan(q.started.indexOf('https://a.example/u/a2'));
  });

  it('an activity past its deadline is recorded as failed and its sender goes on', async () => {
    const q = setup({ deadlineMs: 50, run: (item) => (item.uri.endsWith('a0') ? new Promise(() => {}) : Promise.resolve()) });
    q.add('https://a.example/u', 2);
    await q.queue.drain();
    expect(q.finished).toEqual([['https://a.example/u/a0', 'not processed within 0.05 s; given up'], ['https://a.example/u/a1', null]]);
  });

  it('a failure is recorded with its message; the rest carries on', async () => {
    const q = setup({ run: async (item) => { if (item.uri.endsWith('a1')) throw new Error('boom'); } });
    q.add('https://a.example/u', 3);
    await q.queue.drain();
    expect(q.finished.map(([, e]) => e)).toEqual([null, 'boom', null]);
  });

  it('counts what each host has waiting, until it is processed', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const q = setup({ concurrency: 1, run: () => held });
    q.add('https://a.example/u', 2, 'x'.repeat(100));
    q.add('https://b.example/u', 1, 'y'.repeat(10));
    const done = q.queue.drain();
    expect(q.queue.pending('a.example')).toEqual({ items: 2, bytes: 200 });
    expect(q.queue.pending('b.example')).toEqual({ items: 1, bytes: 10 });
    release();
    await done;
    expect(q.queue.pending('a.example')).toEqual({ items: 0, bytes: 0 });
  });

  it('takes everything stored before drain(), more than one read of rows, and what is stored (and drained) while it runs', async () => {
    let late = false;
    const q = setup({
      concurrency: 8,
      run: async () => {
        if (late) return;
        late = true;
        q.add('https://late.example/u', 3);
        void q.queue.drain();
      },
    });
    for (let s = 0; s < 50; s++) q.add(`https://h${s}.example/u`, 50);
    await q.queue.drain();
    expect(q.finished).toHaveLength(2503);
    expect(q.finished.every(([, error]) => error === null)).toBe(true);
  });

  it('drain() with nothing stored resolves at once', async () => {
    await setup().queue.drain();
  });
});
