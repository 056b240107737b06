// The real-world inbox payloads under test/fixtures/inbox/<kind>/ (see its README), with
// their {{PLACEHOLDERS}} filled in. Used by the fake remote servers and the unit-level world.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'mastodon' | 'misskey' | 'gotosocial' | 'pleroma';
export const SERVER_KINDS: ServerKind[] = ['mastodon', 'misskey', 'gotosocial', 'pleroma'];
/** Servers with media fixtures (`actor.json`, `create-note-media.json`): Pixelfed has only those. */
export type MediaServerKind = ServerKind | 'pixelfed';
export const MEDIA_SERVER_KINDS: MediaServerKind[] = [...SERVER_KINDS, 'pixelfed'];

const FIXTURES = fileURLToPath(new URL('../../fixtures/inbox/', import.meta.url));

/** The fixture `name` of `kind`, with every `{{KEY}}` found in `vars` replaced (unknown ones stay). */
export function loadFixture(kind: MediaServerKind, name: string, vars: Record<string, string>): any {
  const parsed: unknown = JSON.parse(readFileSync(`${FIXTURES}${kind}/${name}.json`, 'utf8'));
  const replace = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => vars[k] ?? m);
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    return v;
  };
  return replace(parsed);
}
