#!/usr/bin/env node
// better-sqlite3 is a native addon built for one runtime at a time: Node (tests, headless)
// or Electron (the desktop app, after `electron-builder install-app-deps`). This script
// makes sure it loads in the runtime about to use it, rebuilding it when it does not.
//   node scripts/ensure-native.mjs node      before tests / headless
//   node scripts/ensure-native.mjs electron  before starting Electron (needs internet once)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.outpost-native-target');
const target = process.argv[2] === 'electron' ? 'electron' : 'node';
const current = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'node';
const say = (m) => process.stderr.write(`outpost: ${m}\n`);

function loadsInNode() {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch (err) {
    return !/NODE_MODULE_VERSION|was compiled against a different Node.js version|invalid ELF|Module did not self-register/.test(String(err));
  }
}

if (target === 'node') {
  if (current === 'node' && loadsInNode()) process.exit(0);
  say('better-sqlite3 was built for Electron; rebuilding it for Node (npm rebuild better-sqlite3)…');
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(marker, 'node\n');
} else {
  if (current === 'electron') process.exit(0);
  say('rebuilding better-sqlite3 for Electron (electron-builder install-app-deps)…');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-builder'), ['install-app-deps'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    say('could not rebuild better-sqlite3 for Electron (it needs internet once to fetch Electron headers)');
    process.exit(r.status ?? 1);
  }
  writeFileSync(marker, 'electron\n');
}
