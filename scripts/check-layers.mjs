#!/usr/bin/env node
// Enforces the one-way layering of the design: shared ← core ← admin ← entries, and
// renderer → shared only. Fails with the offending imports listed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const rules = [
  { dir: 'src/shared', may: ['src/shared'], electron: false },
  { dir: 'src/main/core', may: ['src/shared', 'src/main/core'], electron: false },
  { dir: 'src/main/admin', may: ['src/shared', 'src/main/core', 'src/main/admin'], electron: false },
  { dir: 'src/renderer', may: ['src/shared', 'src/renderer', 'src/preload/index.d.ts', 'src/preload/bridge'], electron: false },
  { dir: 'src/preload', may: ['src/shared', 'src/preload'], electron: true },
];
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
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
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
