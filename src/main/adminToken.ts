import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** OUTPOST_ADMIN_TOKEN if set, else the token in DIR/admin-token, generated (mode 0600) on first use. */
export function loadAdminToken(dataDir: string, env = process.env): string {
  if (env.OUTPOST_ADMIN_TOKEN) return env.OUTPOST_ADMIN_TOKEN;
  const file = join(dataDir, 'admin-token');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch {
    /* first start */
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}
