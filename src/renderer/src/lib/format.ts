const intFmt = new Intl.NumberFormat();
const compactFmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const formatInt = (n: number): string => intFmt.format(n);
export const formatCompact = (n: number): string => (Math.abs(n) < 10_000 ? intFmt.format(n) : compactFmt.format(n));

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** Characters as a reader (and the server's limit) counts them: grapheme clusters. */
export function countCharacters(text: string): number {
  if (!segmenter) return [...text].length;
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** Error message for display. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** `user@host` → `@user@host`. */
export const atHandle = (handle: string): string => (handle.startsWith('@') ? handle : `@${handle}`);

/** Error classes as people read them. */
const ERROR_CLASS_LABELS: Record<string, string> = {
  ok: 'Delivered', timeout: 'Timeout', dns: 'DNS', refused: 'Refused', reset: 'Reset', unreachable: 'Unreachable', tls: 'TLS',
  http_5xx: 'HTTP 5xx', http_4xx: 'HTTP 4xx', http_401: 'HTTP 401', http_408: 'HTTP 408', http_429: 'HTTP 429', http_other: 'HTTP other',
  gone: 'Gone (410)', blocked: 'Blocked', invalid: 'Invalid', other: 'Other',
};
export function errorClassLabel(cls: string): string {
  return ERROR_CLASS_LABELS[cls] ?? cls.replace(/_/g, ' ');
}
