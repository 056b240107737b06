// The measured Outpost runs compiled, as users run it — not under tsx (whose on-the-fly
// transform and source-mapped stack traces cost CPU and memory Outpost does not have
// in production). bench/outpostProcess.ts (the bench's headless wrapper) is bundled the
// way electron-vite bundles src/main/headless.ts into out/main/headless.js: one ES module,
// dependencies left in node_modules, no source maps. `--tsx` runs it under tsx instead.
import { build } from 'esbuild';
import { join } from 'node:path';

export async function buildChild(root: string, name = 'outpostProcess'): Promise<string> {
  const outfile = join(root, 'out', 'bench', `${name}.mjs`);
  await build({
    entryPoints: [join(root, 'bench', `${name}.ts`)],
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: false, logLevel: 'warning',
  });
  return outfile;
}
