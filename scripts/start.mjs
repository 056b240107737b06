#!/usr/bin/env node
// `npm start`: build, then open the Electron app. Where Electron cannot start (no display,
// or no Electron binary, as on offline CI machines) say why and run the same instance
// headless instead, so the README's run command works everywhere.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgetRendererStamp, recordRendererStamp, rendererInputsStamp, withBuildLock } from './build-renderer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (msg) => process.stderr.write(`outpost: ${msg}\n`);

// Under the renderer build lock, and stamped, so the headless entry (and the e2e tests)
// see out/renderer as this build of the current sources and do not rebuild it.
const build = await withBuildLock(root, () => {
  const stamp = rendererInputsStamp(root);
  forgetRendererStamp(root);
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status === 0) recordRendererStamp(root, stamp);
  return result;
});
if (build.status !== 0) {
  say('the build failed (see above)');
  process.exit(build.status ?? 1);
}

function electronBinary() {
  // require('electron') resolves the binary and, from Electron 42 on, downloads it the first time.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (probe.status === 0 && probe.stdout && existsSync(probe.stdout)) return { path: probe.stdout };
  const detail = (probe.stderr || '').split('\n').find((l) => /Error|failed/i.test(l))?.trim();
  return { why: `the Electron binary is not installed and could not be downloaded${detail ? ` (${detail})` : ''}` };
}

function cannotStartElectron() {
  if (process.env.OUTPOST_HEADLESS === '1') return 'OUTPOST_HEADLESS=1 is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  return undefined;
}

function ensureNative(target) {
  return spawnSync(process.execPath, [join(root, 'scripts/ensure-native.mjs'), target], { cwd: root, stdio: 'inherit' }).status === 0;
}

function runHeadless(reason) {
  say(`cannot open the desktop app: ${reason}. Running the same instance headless instead;`);
  if (!ensureNative('node')) process.exit(1);
  say('open the admin UI at the URL printed below (it carries the admin token).');
  const child = spawn(process.execPath, [join(root, 'out/main/headless.js'), ...args], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

const noDisplay = cannotStartElectron();
if (noDisplay) runHeadless(noDisplay);
else {
  const bin = electronBinary();
  if (!bin.path) runHeadless(bin.why);
  else if (!ensureNative('electron')) runHeadless('better-sqlite3 could not be rebuilt for Electron');
  else {
    const started = Date.now();
    const child = spawn(bin.path, [root, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => runHeadless(`Electron failed to start (${err.message})`));
    child.on('exit', (code) => {
      if (code && Date.now() - started < 10_000) runHeadless(`Electron exited with code ${code} right after starting`);
      else process.exit(code ?? 0);
    });
  }
}
