// Human-readable times and durations.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const dateFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateYearFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const clockFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** "just now", "3 min ago", "5 h ago", "2 d ago", then a date. */
export function relativeTime(at: number, now: number): string {
  const d = now - at;
  if (d < -MINUTE) return `in ${formatDuration(-d)}`;
  if (d < 45_000) return 'just now';
  if (d < HOUR) return `${Math.max(1, Math.round(d / MINUTE))} min ago`;
  if (d < DAY) return `${Math.floor(d / HOUR)} h ago`;
  if (d < 7 * DAY) return `${Math.floor(d / DAY)} d ago`;
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return (sameYear ? dateFmt : dateYearFmt).format(at);
}

export function fullDate(at: number): string {
  return fullFmt.format(at);
}

export function clockTime(at: number): string {
  return clockFmt.format(at);
}

/** A countdown that visibly ticks: "0:42", "12:05", "1:59:41", "3 d 4 h". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s >= 2 * 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** Milliseconds in the largest unit that reads well: "850 ms", "30 s", "1.5 min", "6 h", "3 d". */
export function formatDuration(ms: number): string {
  const round = (n: number) => (n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${round(ms / 1000)} s`;
  if (ms < HOUR) return `${round(ms / MINUTE)} min`;
  if (ms < DAY) return `${round(ms / HOUR)} h`;
  return `${round(ms / DAY)} d`;
}

export const DURATION_UNITS = [
  { unit: 's', label: 'seconds', ms: 1000 },
  { unit: 'min', label: 'minutes', ms: MINUTE },
  { unit: 'h', label: 'hours', ms: HOUR },
  { unit: 'd', label: 'days', ms: DAY },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]['unit'];

/** The largest unit in which `ms` is a whole number (at least seconds). */
export function bestUnit(ms: number): DurationUnit {
  for (const u of [...DURATION_UNITS].reverse()) if (ms % u.ms === 0) return u.unit;
  return 's';
}

export function unitMs(unit: DurationUnit): number {
  return DURATION_UNITS.find((u) => u.unit === unit)!.ms;
}
