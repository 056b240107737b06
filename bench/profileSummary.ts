// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): self and inclusive time
// per function, over a window that starts at the first sample inside a given function
// (default `compose`, i.e. the measured fan-out), --skip milliseconds later (default 0), and
// lasts --ms milliseconds.
//   npx tsx bench/profileSummary.ts FILE.cpuprofile [--from compose] [--skip 0] [--ms 1000] [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, skip: { type: 'string' }, ms: { type: 'string' }, top: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: tsx bench/profileSummary.ts FILE.cpuprofile [--from compose] [--skip 0] [--ms 1000] [--top 30]\n');
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stack = (id: number): Node[] => {
  const out: Node[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur)!);
  return out;
};
const from = values.from ?? 'compose';
const windowUs = Number(values.ms ?? 1000) * 1000;
let t = p.startTime;
let start = -1;
const times: number[] = [];
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]!;
  times.push(t);
  if (start < 0 && stack(p.samples[i]!).some((n) => n.callFrame.functionName === from)) start = t;
}
if (start < 0) {
  process.stderr.write(`no sample inside ${from}\n`);
  process.exit(1);
}
start += Number(values.skip ?? 0) * 1000;
const name = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
};
// Where a sample's time goes: the innermost frame that belongs to a known component.
const category = (s: Node[]): string => {
  const top = s[0]!.callFrame.functionName;
  if (top === '(garbage collector)' || top === '(idle)' || top === '(program)') return top;
  for (const n of s) {
    const u = n.callFrame.url;
    if (u.includes('better-sqlite3')) return 'SQLite (better-sqlite3)';
    if (u.includes('/undici/')) return 'undici';
    if (u.startsWith('node:internal/crypto') || n.callFrame.functionName === 'signOneShot') return 'node:crypto';
    if (/^node:(net|internal\/stream|internal\/streams|stream|internal\/net|_http|http|internal\/dns|dns)/.test(u)) return 'node net/streams';
    if (u.includes('/src/main/')) return `outpost ${u.replace(/^.*\/src\/main\//, '')}`;
    if (u.includes('/node_modules/')) return u.replace(/^.*\/node_modules\/([^/]+).*$/, '$1');
  }
  return 'other (node internals, timers, promises)';
};
const cats = new Map<string, number>();
const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  if (times[i]! < start || times[i]! > start + windowUs) continue;
  const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
  total += dt;
  const s = stack(p.samples[i]!);
  cats.set(category(s), (cats.get(category(s)) ?? 0) + dt);
  self.set(name(s[0]!), (self.get(name(s[0]!)) ?? 0) + dt);
  for (const k of new Set(s.map(name))) incl.set(k, (incl.get(k) ?? 0) + dt);
}
const top = Number(values.top ?? 30);
const show = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title} (window ${(windowUs / 1000).toFixed(0)} ms from first sample in ${from}; ${total.toFixed(0)} ms sampled)\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${v.toFixed(1).padStart(8)} ms  ${k}\n`);
};
show('self time by component', cats);
show('self time', self);
show('inclusive time', incl);
