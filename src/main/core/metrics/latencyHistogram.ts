// Delivery latency as a log-scale histogram fine enough for honest percentiles: bucket i
// holds samples in (GROWTH^(i-1), GROWTH^i] ms, and a percentile is reported as its
// bucket's geometric middle, so it is within ±2 % of the true value (GROWTH = 1.04). The
// coarse Prometheus buckets gave "p50 100 ms, p99 100 ms" beside an 87 ms average.
// Stored sparse ({bucket: count}): a minute with a few hundred attempts is a few dozen keys.

/** Width of one bucket: each bound is this factor above the last. */
export const LATENCY_GROWTH = 1.04;
const LOG_GROWTH = Math.log(LATENCY_GROWTH);
/** Highest bucket: about 3.5 × 10^6 ms, far past any attempt's deadline. */
const MAX_BUCKET = 380;

/** Sample counts by bucket index. */
export type LatencyHistogram = Record<number, number>;

/** The bucket a latency (ms) falls in. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log(ms) / LOG_GROWTH - 1e-9));
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 1 : LATENCY_GROWTH ** (bucket - 0.5);
}

export function addSample(h: LatencyHistogram, ms: number): void {
  const b = latencyBucket(ms);
  h[b] = (h[b] ?? 0) + 1;
}

/** `into` plus `from`, in place. */
export function mergeInto(into: LatencyHistogram, from: LatencyHistogram): LatencyHistogram {
  for (const [k, n] of Object.entries(from)) into[Number(k)] = (into[Number(k)] ?? 0) + n;
  return into;
}

/** The latency under which `q` of the samples fall, rounded to 0.1 ms (null without samples). */
export function latencyPercentile(h: LatencyHistogram, q: number): number | null {
  const buckets = Object.keys(h).map(Number).sort((a, b) => a - b);
  const total = buckets.reduce((sum, b) => sum + h[b]!, 0);
  if (total === 0) return null;
  const target = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const b of buckets) {
    seen += h[b]!;
    if (seen >= target) return Math.round(bucketValue(b) * 10) / 10;
  }
  return null;
}

/**
 * Upper bounds (ms) of the coarse buckets rollups were stored in before this histogram;
 * the last bucket was "slower". Kept only to read those rows.
 */
const LEGACY_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];

/** A stored rollup's latency: the sparse histogram, or a legacy coarse array (each count put at its bucket's bound). */
export function parseStoredLatency(json: string): LatencyHistogram {
  const value: unknown = JSON.parse(json);
  if (Array.isArray(value)) {
    const h: LatencyHistogram = {};
    value.forEach((n, i) => {
      if (typeof n === 'number' && n > 0) mergeInto(h, { [latencyBucket(LEGACY_BOUNDS_MS[i] ?? 60_000)]: n });
    });
    return h;
  }
  return value && typeof value === 'object' ? (value as LatencyHistogram) : {};
}
