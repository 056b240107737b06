// What a personal instance has no use for — Add/Remove to someone's featured collection,
// Flag, types it has never heard of — is answered 202 (so the sender stops retrying),
// stored nowhere, fetched nothing for, and counted by type in /metrics (unknown types as
// "other"). Real payload shapes from Mastodon, GoToSocial and Misskey (test/fixtures/inbox).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote, type ServerKind } from '../support/remote/fakeRemote';

const CASES: [ServerKind, string, string][] = [
  ['mastodon', 'add-featured', 'Add'], ['mastodon', 'remove-featured', 'Remove'], ['mastodon', 'flag', 'Flag'],
  ['gotosocial', 'flag', 'Flag'],
  ['misskey', 'add-featured', 'Add'], ['misskey', 'remove-featured', 'Remove'], ['misskey', 'flag', 'Flag'], ['misskey', 'bite', 'other'],
];

let o: TestOutpost;
const remotes = new Map<ServerKind, FakeRemote>();

beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.70', username: 'ivy' });
  for (const [i, kind] of (['mastodon', 'gotosocial', 'misskey'] as const).entries()) {
    remotes.set(kind, await new FakeRemote({ host: `127.0.1.${71 + i}`, kind, vars: { LOCAL_ACTOR: o.actor } }).start());
  }
});

afterAll(async () => {
  await o?.stop();
  await Promise.all([...remotes.values()].map((r) => r.stop()));
});

async function ignoredCounts(): Promise<Record<string, number>> {
  const res = await fetch(`${o.running.adminUrl}/metrics`, { headers: { authorization: `Bearer ${o.running.token}` } });
  const counts: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^outpost_inbox_ignored_activities_total\{type="([^"]+)"\} (\d+)$/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

describe('activities the instance ignores', () => {
  it('each is answered 202, stored nowhere, and counted by type', async () => {
    const db = o.running.instance.db;
    const stored = () => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM inbox_items').get()!.n;
    const before = stored();
    for (const [kind, fixture] of CASES) {
      const remote = remotes.get(kind)!;
      const res = await remote.post(`${o.publicUrl}/inbox`, remote.fixture(fixture));
      expect(res.status, `${kind} ${fixture}: ${await res.clone().text()}`).toBe(202);
    }
    expect(stored()).toBe(before);
    // Nothing was fetched for them: no key, no object.
    for (const remote of remotes.values()) expect(remote.fetched).toEqual([]);
    expect(await ignoredCounts()).toEqual({ Add: 2, Remove: 2, Flag: 3, other: 1 });
  });
});
