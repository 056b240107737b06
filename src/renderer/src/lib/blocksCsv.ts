// Blocks, mutes and domain blocks as Mastodon's CSV files (Preferences → Import and export):
//   blocked_accounts.csv  one `user@domain` per line, no header
//   muted_accounts.csv    `Account address,Hide notifications`, then `user@domain,true`
//   blocked_domains.csv   one domain per line (a `#domain,…` header is accepted)
import type { BlocksDto } from '../../../shared/dto';

export type CsvKind = 'blocks' | 'mutes' | 'domains';

export function csvOf(kind: CsvKind, lists: BlocksDto): string {
  if (kind === 'domains') return lists.domains.map((d) => `${d.domain}\n`).join('');
  if (kind === 'blocks') return lists.accounts.map((a) => `${a.actor.handle}\n`).join('');
  return ['Account address,Hide notifications\n', ...lists.mutes.map((a) => `${a.actor.handle},true\n`)].join('');
}

/** The entries a CSV file names, in order, without headers, blanks or duplicates. */
export function entriesOf(kind: CsvKind, text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const first = (line.split(',')[0] ?? '').trim().replace(/^"(.*)"$/, '$1').replace(/^@/, '');
    if (!first || first.startsWith('#') || /^account address$/i.test(first)) continue;
    if (kind !== 'domains' && !first.includes('@')) continue;
    out.add(first);
  }
  return [...out];
}
