import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/** Random bytes drawn a pool at a time: one call into the CSPRNG per 800 ids, not one per id. */
const POOL_BYTES = 4096;
const ID_RANDOM_BYTES = 5;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

function randomHex(): string {
  if (poolAt + ID_RANDOM_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + ID_RANDOM_BYTES);
  poolAt += ID_RANDOM_BYTES;
  return hex.slice(0, 8);
}

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
  return now.toString(36).padStart(9, '0') + seq.toString(36).padStart(3, '0') + randomHex();
}
