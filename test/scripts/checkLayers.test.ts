// `npm run lint:layers` on small trees: the rooms of the core stack one way, and the
// script says which import breaks that.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '../../scripts/check-layers.mjs');
let tree: string | undefined;

function check(files: Record<string, string>): { status: number | null; output: string } {
  tree = mkdtempSync(join(tmpdir(), 'outpost-layers-'));
  for (const [path, text] of Object.entries({ 'src/main/headless.ts': '', ...files })) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, LAYERS_ROOT: tree }, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

describe('check-layers', () => {
  it('passes imports that go down the core: site → inbox → social → delivery → federation → config', () => {
    const r = check({
      'src/main/core/config.ts': 'export const A = 1;',
      'src/main/core/federation/wire.ts': "import { A } from '../config';",
      'src/main/core/delivery/queue.ts': "import '../federation/wire';",
      'src/main/core/social/actions.ts': "import '../delivery/queue';",
      'src/main/core/inbox/processor.ts': "import '../social/actions';",
      'src/main/core/site/server.ts': "import '../inbox/processor';\nimport '../social/actions';",
      'src/main/core/instance.ts': "import './site/server';",
    });
    expect(r.output).toContain('layers ok');
    expect(r.status).toBe(0);
  });

  it('fails on an upward import inside the core and names it', () => {
    const r = check({
      'src/main/core/social/notes.ts': 'export const N = 1;',
      'src/main/core/federation/renderers.ts': "import { N } from '../social/notes';",
    });
    expect(r.status).toBe(1);
    expect(r.output).toContain('src/main/core/federation/renderers.ts: imports src/main/core/social/notes');
  });

  it('fails on an import between rooms of one floor, and on config importing a room', () => {
    const r = check({
      'src/main/core/tunnel/t.ts': "import '../media/m';",
      'src/main/core/media/m.ts': '',
      'src/main/core/config.ts': "import type { X } from './delivery/retryPolicy';",
      'src/main/core/delivery/retryPolicy.ts': 'export type X = number;',
    });
    expect(r.status).toBe(1);
    expect(r.output).toContain('src/main/core/tunnel/t.ts: imports src/main/core/media/m');
    expect(r.output).toContain('src/main/core/config.ts: imports src/main/core/delivery/retryPolicy');
  });

  it('fails on a room it does not know, so a new folder gets a place on purpose', () => {
    const r = check({ 'src/main/core/gadgets/g.ts': '' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('the core room gadgets has no place');
  });
});
