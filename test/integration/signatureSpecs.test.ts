// The double-knock against real loopback peers that verify what they get: one takes only
// RFC 9421, one only draft-cavage, one both. Outpost learns each host's spec (a 401, then
// the other spec at once), shows it in the host drawer's data, and still knows it after a
// restart: the next post goes to each host right the first time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { followAll, InboxServer } from '../support/remote/inboxServer';

const dataDir = mkdtempSync(join(tmpdir(), 'outpost-specs-'));
const onlyRfc = new InboxServer({ ip: '127.0.3.41', username: 'rita', acceptsSpecs: ['rfc9421'] });
const onlyCavage = new InboxServer({ ip: '127.0.3.42', username: 'carl', acceptsSpecs: ['draft-cavage'] });
const both = new InboxServer({ ip: '127.0.3.43', username: 'bo', acceptsSpecs: ['rfc9421', 'draft-cavage'] });
const peers = [onlyRfc, onlyCavage, both];
let o: TestOutpost;
let publicUrl = '';

const specOf = (headers: Record<string, unknown>) => (headers['signature-input'] ? 'rfc9421' : 'draft-cavage');
/** What each peer got for one note: [spec, verified] per POST, in order. */
const knocks = (s: InboxServer, noteId: string) => s.creates(noteId).map((r) => [specOf(r.headers), r.signatureValid]);

async function post(content: string): Promise<string> {
  const { noteId, activityId } = await o.rpc('compose', { content });
  await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === 3, 10_000, 'delivered to all three');
  return noteId;
}

beforeAll(async () => {
  await Promise.all(peers.map((p) => p.start()));
  o = await startOutpost({ host: '127.0.3.40', username: 'sig', dataDir });
  publicUrl = o.publicUrl;
  await followAll(o, peers);
});

afterAll(async () => {
  await o?.stop();
  await Promise.all(peers.map((p) => p.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('double-knock against peers that take one spec, the other, or both', () => {
  it('learns each host: RFC 9421 first (the default), draft-cavage after one 401 where that is all a host takes', async () => {
    // Outpost's first request to each was the signed GET of the follower's actor document:
    // each host is known by the time the Accept goes out.
    const hosts = await Promise.all(peers.map((p) => o.rpc('host', { host: p.host })));
    expect(hosts.map((h) => h.signature?.spec)).toEqual(['rfc9421', 'draft-cavage', 'rfc9421']);
    expect(hosts[1]!.signature).toMatchObject({ lastDoubleKnock: 'switched', lastDoubleKnockFrom: 'rfc9421' });
    expect(hosts[0]!.signature?.lastDoubleKnock).toBeNull();
    expect(onlyCavage.getSpecs.slice(0, 2)).toEqual(['refused rfc9421', 'draft-cavage']);
    expect(onlyRfc.getSpecs[0]).toBe('rfc9421');
    // The follower is accepted in Outpost's store before its Accept has reached the peer.
    await eventually(async () => onlyCavage.ofType('Accept').length > 0, 10_000, 'the Accept reached the cavage-only peer');
    expect(onlyCavage.ofType('Accept').map((r) => [specOf(r.headers), r.signatureValid])).toEqual([['draft-cavage', true]]);

    const noteId = await post('first post after the follows');
    expect(knocks(onlyRfc, noteId)).toEqual([['rfc9421', true]]);
    expect(knocks(onlyCavage, noteId)).toEqual([['draft-cavage', true]]);
    expect(knocks(both, noteId)).toEqual([['rfc9421', true]]);
  });

  it('keeps the choice across a restart: no 401 for the next post', async () => {
    await o.stop();
    o = await startOutpost({ host: '127.0.3.40', username: 'sig', dataDir, publicUrl, port: Number(new URL(publicUrl).port) });
    expect((await o.rpc('host', { host: onlyCavage.host })).signature?.spec).toBe('draft-cavage');
    const noteId = await post('after a restart');
    expect(knocks(onlyCavage, noteId)).toEqual([['draft-cavage', true]]);
    expect(knocks(onlyRfc, noteId)).toEqual([['rfc9421', true]]);
  });

  it('the preferred spec is a setting (for hosts it knows nothing about); a learnt host keeps its spec', async () => {
    await o.rpc('updateSettings', { signatureSpec: 'draft-cavage' });
    expect((await o.rpc('settings')).signatureSpec).toBe('draft-cavage');
    // A host it has learnt keeps its spec; the setting is for hosts it knows nothing about.
    const noteId = await post('with draft-cavage preferred');
    expect(knocks(onlyRfc, noteId)).toEqual([['rfc9421', true]]);
  });
});
