// Outcomes of activities that finish together are recorded together: one transaction for
// the turn, and when that write fails (a full disk) every one of them stays unprocessed in
// the store, to be taken again at the next start.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { ProcessingQueue } from '../../../../src/main/core/inbox/processingQueue';

function setup(failWrites: () => boolean) {
  const db = openDatabase(':memory:');
  const insert = db.prepare('INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, 0)');
  const mark = db.prepare('UPDATE inbox_items SET processed_at = 1 WHERE activity_uri = ?');
  const recorded: { uri: string; inTransaction: boolean }[] = [];
  const notRecorded: string[] = [];
  const queue = new ProcessingQueue(db, {
    concurrency: 4, deadlineMs: 5000,
    run: async () => {},
    done: (item) => {
      recorded.push({ uri: item.uri, inTransaction: db.inTransaction });
      mark.run(item.uri);
      if (failWrites()) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    },
    onDoneFailed: (item) => notRecorded.push(item.uri),
  });
  for (const actor of ['https://a.example/u', 'https://b.example/u', 'https://c.example/u', 'https://d.example/u']) insert.run(`${actor}/1`, actor, '{}');
  const unprocessed = () => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM inbox_items WHERE processed_at IS NULL').get()!.n;
  return { queue, recorded, notRecorded, unprocessed };
}

describe('recording outcomes', () => {
  it('four senders finishing in one turn: their outcomes are written in one transaction', async () => {
    const s = setup(() => false);
    await s.queue.drain();
    expect(s.recorded).toHaveLength(4);
    expect(s.recorded.every((r) => r.inTransaction)).toBe(true);
    expect(s.unprocessed()).toBe(0);
  });

  it('a write that fails loses none of them: all stay unprocessed, each reported', async () => {
    let calls = 0;
    const s = setup(() => ++calls === 3);
    await s.queue.drain();
    expect(s.notRecorded.sort()).toEqual(['https://a.example/u/1', 'https://b.example/u/1', 'https://c.example/u/1', 'https://d.example/u/1']);
    expect(s.unprocessed()).toBe(4);
  });
});
