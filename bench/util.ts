// Small helpers: progress logging (stderr), sleeping, rounding, and the human tables.

export function log(msg: string): void {
  process.stderr.write(`bench ${new Date().toISOString().slice(11, 23)} ${msg}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A two-column table: label, value (and an optional note). */
export function table(title: string, rows: [string, unknown, string?][]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => String(r[1]).length));
  const lines = rows.map(([k, val, note]) => `  ${k.padEnd(w)}  ${String(val).padStart(v)}${note ? `  ${note}` : ''}`);
  return `\n${title}\n${'-'.repeat(title.length)}\n${lines.join('\n')}\n`;
}

/** A grid: header row then data rows, right-aligned. */
export function grid(title: string, header: string[], rows: unknown[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r: unknown[]) => '  ' + r.map((c, i) => String(c).padStart(widths[i]!)).join('  ');
  return `\n${title}\n${'-'.repeat(title.length)}\n${fmt(header)}\n${rows.map(fmt).join('\n')}\n`;
}
