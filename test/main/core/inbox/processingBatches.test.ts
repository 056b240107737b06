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

describe("activities' own writes", () => {
  function writes() {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE seen (uri TEXT PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at) VALUES (?, ?, ?, 0)');
    const see = db.prepare('INSERT INTO seen (uri) VALUES (?)');
    const seen = () => db.prepare<[], { uri: string }>('SELECT uri FROM seen ORDER BY uri').all().map((r) => r.uri);
    const outcomes: { uri: string; error: string | null }[] = [];
    const seenBeforeRun: Record<string, string[]> = {};
    const queue = new ProcessingQueue(db, {
      concurrency: 4, deadlineMs: 5000,
      run: async (item) => {
        seenBeforeRun[item.uri] = seen();
        return () => {
          see.run(item.uri);
          if (item.uri.endsWith('bad')) throw new Error('cannot store this one');
        };
      },
      done: (item, error) => {
        outcomes.push({ uri: item.uri, error });
        db.prepare('UPDATE inbox_items SET processed_at = 1 WHERE activity_uri = ?').run(item.uri);
      },
      onDoneFailed: () => {},
    });
    return { db, insert, queue, seen, outcomes, seenBeforeRun };
  }

  it('are applied with their outcomes; one that fails is undone alone and recorded as its error', async () => {
    const s = writes();
    for (const uri of ['https://a.example/u/1', 'https://b.example/u/bad', 'https://c.example/u/1']) s.insert.run(uri, uri.replace(/\/[^/]+$/, ''), '{}');
    await s.queue.drain();
    expect(s.seen()).toEqual(['https://a.example/u/1', 'https://c.example/u/1']);
    expect(s.outcomes.sort((x, y) => x.uri.localeCompare(y.uri))).toEqual([
      { uri: 'https://a.example/u/1', error: null },
      { uri: 'https://b.example/u/bad', error: 'cannot store this one' },
      { uri: 'https://c.example/u/1', error: null },
    ]);
  });

  it("a sender's next activity starts after its previous one's write is stored", async () => {
    const s = writes();
    for (let i = 1; i <= 3; i++) s.insert.run(`https://a.example/u/${i}`, 'https://a.example/u', '{}');
    await s.queue.drain();
    expect(s.seenBeforeRun['https://a.example/u/2']).toEqual(['https://a.example/u/1']);
    expect(s.seenBeforeRun['https://a.example/u/3']).toEqual(['https://a.example/u/1', 'https://a.example/u/2']);
  });
});
