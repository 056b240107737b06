#!/usr/bin/env node
// Enforces the one-way layering of the design: shared ← core ← admin ← entries, and
// renderer → shared only. Fails with the offending imports listed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// LAYERS_ROOT: check another tree (the layering test runs this script on a small one).
const root = process.env.LAYERS_ROOT ? resolve(process.env.LAYERS_ROOT) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const rules = [
  { dir: 'src/shared', may: ['src/shared'], electron: false },
  { dir: 'src/main/core', may: ['src/shared', 'src/main/core'], electron: false },
  { dir: 'src/main/admin', may: ['src/shared', 'src/main/core', 'src/main/admin'], electron: false },
  { dir: 'src/renderer', may: ['src/shared', 'src/renderer', 'src/preload/index.d.ts', 'src/preload/bridge'], electron: false },
  { dir: 'src/preload', may: ['src/shared', 'src/preload'], electron: true },
];
// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`, `require('x')`.
const IMPORTS = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const files = (dir) => readdirSync(dir).flatMap((name) => {
  const p = join(dir, name);
  return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts)$/.test(name) ? [p] : [];
});
const problems = [];
for (const rule of rules) {
  const base = join(root, rule.dir);
  let list;
  try { list = files(base); } catch { continue; }
  for (const file of list) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORTS)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      const rel = relative(root, file);
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!rule.electron) problems.push(`${rel}: imports electron (only src/main/index.ts and src/preload may)`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec));
      if (!rule.may.some((allowed) => target === allowed || target.startsWith(allowed + '/'))) {
        problems.push(`${rel}: imports ${target} (${rule.dir} may import only ${rule.may.join(', ')})`);
      }
    }
  }
}
// Inside the core, rooms are stacked: a file imports its own room or a room below it, never
// one beside or above it (design.md: site/inbox/social above delivery/tunnel above
// federation above store/config).
const CORE_ROOMS = [
  ['base'], // config.ts, settings.ts, events.ts, logger.ts, ids.ts, paths.ts, errors.ts, store/, http/
  ['federation'],
  ['metrics', 'media', 'tunnel'],
  ['delivery'],
  ['social'],
  ['inbox'],
  ['site'],
  ['instance'],
];
const coreRoom = (rel) => {
  const inCore = relative('src/main/core', rel);
  if (inCore.startsWith('..')) return undefined;
  const [first, ...rest] = inCore.split('/');
  if (rest.length === 0) return first.replace(/\.tsx?$/, '') === 'instance' ? 'instance' : 'base';
  return first === 'store' || first === 'http' ? 'base' : first;
};
const rankOf = (room) => CORE_ROOMS.findIndex((rooms) => rooms.includes(room));
const coreBase = join(root, 'src/main/core');
for (const file of files(coreBase)) {
  const rel = relative(root, file);
  const from = coreRoom(rel);
  if (rankOf(from) < 0) {
    problems.push(`${rel}: the core room ${from} has no place in scripts/check-layers.mjs (CORE_ROOMS)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORTS)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec));
    const to = coreRoom(target);
    if (to === undefined || to === from) continue;
    if (rankOf(to) >= rankOf(from)) {
      problems.push(`${rel}: imports ${target} (core room ${from} may import only rooms below it: ${CORE_ROOMS.slice(0, rankOf(from)).flat().join(', ')})`);
    }
  }
}
// Entry-level files in src/main: only the Electron entry and *electron* files may import electron,
// so headless mode keeps running under plain Node.
for (const name of readdirSync(join(root, 'src/main'))) {
  const file = join(root, 'src/main', name);
  if (statSync(file).isDirectory() || name === 'index.ts' || /electron/i.test(name)) continue;
  if (/from\s*['"]electron['"]|require\(\s*['"]electron['"]\s*\)/.test(readFileSync(file, 'utf8'))) {
    problems.push(`src/main/${name}: imports electron (only src/main/index.ts and src/main/*electron* may)`);
  }
}
if (problems.length) {
  console.error('Layering violations:\n' + problems.map((p) => '  ' + p).join('\n'));
  process.exit(1);
}
console.log('layers ok');
