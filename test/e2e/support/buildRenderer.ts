// Makes sure out/renderer holds the production build of the current sources — the very
// bundle `npm run headless` serves — through scripts/build-renderer.mjs, the one renderer
// build (electron.vite.config.ts, minified, React in production mode). It runs in its own
// process: the build sets NODE_ENV=production, which must not leak into the test worker.
// Parallel test files share one build: the script's lock serializes them and its stamp of
// the inputs skips rebuilding unchanged code.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Ensures out/renderer/index.html is the production build of the current sources. */
export function buildRenderer(): Promise<void> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [resolve(ROOT, 'scripts/build-renderer.mjs')], { cwd: ROOT, timeout: 180_000 }, (err, _stdout, stderr) => {
      if (err) fail(new Error(`renderer build failed: ${err.message}\n${stderr}`));
      else done();
    });
  });
}
