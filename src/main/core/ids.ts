import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * A time-sortable id: 9 base36 chars of milliseconds, 3 of a per-ms sequence, 8 random.
 * Lexicographic order = creation order, so ids double as cursors.
 */
export function newId(now = Date.now()): string {
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  return now.toString(36).padStart(9, '0') + seq.toString(36).padStart(3, '0') + randomBytes(5).toString('hex').slice(0, 8);
}
