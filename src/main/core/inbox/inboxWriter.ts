// Stores verified inbox activities, the requests of one event-loop turn together in one
// transaction: a busy inbox pays one commit per turn, not one per request. Each request's
// promise settles only after its transaction committed, so a 202 always follows the write
// (a crash loses nothing acknowledged). A repeated id — even within one batch — is stored
// once: its second copy resolves `false`.
import type { Db } from '../store/database';
import type { StorageHealth } from '../store/storageHealth';

export interface InboxItem {
  /** The deduplication key (the activity id, or for an Update its id and body hash). */
  key: string;
  actorUri: string;
  /** The actor's host (the per-host quota counts what waits here too). */
  host: string;
  body: string;
  bytes: number;
  receivedAt: number;
}

/** The write failed for lack of space: the caller answers 503. */
export class StorageFullError extends Error {}

interface Waiting {
  item: InboxItem;
  resolve: (stored: boolean) => void;
  reject: (err: unknown) => void;
}

export class InboxWriter {
  private readonly insert;
  private batch: Waiting[] = [];
  /** Per host, the items of the batch not written yet. */
  private readonly waitingByHost = new Map<string, { items: number; bytes: number }>();

  constructor(
    private readonly db: Db,
    /** Told once per batch in which anything new was stored. */
    private readonly onStored: () => void,
    private readonly storage?: Pick<StorageHealth, 'noteWriteFailure' | 'noteWriteSuccess'>,
  ) {
    this.insert = db.prepare<[string, string, string, number]>(`INSERT INTO inbox_items (activity_uri, actor_uri, body, received_at)
        VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  }

  /** Resolves once the item is committed: true when it was new. Rejects with StorageFullError when the disk is full. */
  write(item: InboxItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ item, resolve, reject });
      const w = this.waitingByHost.get(item.host) ?? { items: 0, bytes: 0 };
      w.items += 1;
      w.bytes += item.bytes;
      this.waitingByHost.set(item.host, w);
    });
  }

  /** What a host has waiting in the batch (not yet counted by processing). */
  waiting(host: string): { items: number; bytes: number } {
    return this.waitingByHost.get(host) ?? { items: 0, bytes: 0 };
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    this.waitingByHost.clear();
    let stored: boolean[];
    try {
      stored = this.db.transaction(() => batch.map((w) => this.store(w.item)))();
    } catch (err) {
      // All of it rolled back. A full disk: every request is told so. Anything else: each
      // item alone, so one that cannot be written costs no other its place.
      const full = this.storage?.noteWriteFailure(err) === true;
      if (full || batch.length === 1) return batch.forEach((w) => w.reject(full ? new StorageFullError('storage full') : err));
      return this.settle(batch.flatMap((w) => {
        try {
          return [{ w, stored: this.store(w.item) }];
        } catch (one) {
          w.reject(this.storage?.noteWriteFailure(one) ? new StorageFullError('storage full') : one);
          return [];
        }
      }));
    }
    this.settle(batch.map((w, i) => ({ w, stored: stored[i]! })));
  }

  /** Answers the written items (their promises settle after this turn's synchronous work). */
  private settle(written: { w: Waiting; stored: boolean }[]): void {
    if (written.length === 0) return;
    this.storage?.noteWriteSuccess();
    // Processing counts the new rows toward their hosts' quotas before any 202 goes out.
    if (written.some((x) => x.stored)) this.onStored();
    for (const { w, stored } of written) w.resolve(stored);
  }

  private store(item: InboxItem): boolean {
    return this.insert.run(item.key, item.actorUri, item.body, item.receivedAt).changes > 0;
  }
}
