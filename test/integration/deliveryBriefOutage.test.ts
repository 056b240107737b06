// Host backoff and offline detection sized for a personal instance, end to end on loopback:
// a friend's server down for a few seconds costs seconds when the user's retries are quick
// (the backoff follows the retry settings where they are shorter), and with every peer down
// a proof that the network works (here a well-known name) makes Outpost charge the peers
// instead of pausing as if this computer were offline.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../support/outpost';
import { followAll, InboxServer } from '../support/remote/inboxServer';
import { startTunedOutpost, type TunedOutpost } from '../support/tunedOutpost';

let o: TunedOutpost | undefined;
let servers: InboxServer[] = [];
let known: Server | undefined;
afterEach(async () => {
  await o?.stop();
  o = undefined;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await new Promise<void>((r) => (known ? known.close(() => r()) : r()));
  known = undefined;
});

describe('a personal instance and its few peers', () => {
  it("a friend's server down for 3 s: backed off for ~1.6 s at a time, the post arrives within seconds of its return", async () => {
    // First retry after 100 ms: 5 failures in 1.5 s, then the backoff is the retry's 1.6 s, not 5 min.
    o = await startTunedOutpost({ ip: '127.0.5.10', username: 'bo', delivery: {
      retry: { initialDelayMs: 100, factor: 2, maxDelayMs: 60_000, maxElapsedMs: 600_000, jitter: 0 },
    } });
    const friend = new InboxServer({ ip: '127.0.5.11' });
    servers = [friend];
    await friend.start();
    await followAll(o, [friend]);
    await eventually(() => friend.ofType('Accept').length === 1, 10_000, 'Accept');

    await friend.stop();
    const post = await o.rpc('compose', { content: 'while you were out' });
    const backingOff = await eventually(async () => {
      const h = (await o!.rpc('hosts')).find((x) => x.host === friend.host);
      return h?.state === 'backing_off' && h;
    }, 8000, 'backing off');
    expect(backingOff.consecutiveFailures).toBe(5);
    expect(backingOff.backoffUntil! - backingOff.lastFailureAt!).toBe(1600);
    await sleep(3000 - 1600);
    await friend.start();
    // The probes follow the user's retries (1.6, 3.2, 6.4 s apart at most), not an hour.
    await eventually(() => friend.creates(post.noteId).length === 1, 15_000, 'delivered after the return');
    const h = (await o.rpc('hosts')).find((x) => x.host === friend.host)!;
    expect(h).toMatchObject({ state: 'healthy', consecutiveFailures: 0, parked: 0, queued: 0 });
    expect((await o.rpc('queueStats')).offline).toBe(false);
  }, 30_000);

  it('every peer down, but a well-known name answers: the peers are charged and delivery never pauses', async () => {
    known = createServer((socket) => socket.end());
    await new Promise<void>((r) => known!.listen(0, '127.0.5.29', () => r()));
    const knownOrigin = `http://127.0.5.29:${(known.address() as { port: number }).port}`;
    o = await startTunedOutpost({ ip: '127.0.5.20', username: 'di', delivery: { connectivity: { wellKnownOrigins: [knownOrigin] } } });
    const peers = [new InboxServer({ ip: '127.0.5.21' }), new InboxServer({ ip: '127.0.5.22' })];
    servers = peers;
    await Promise.all(peers.map((s) => s.start()));
    await followAll(o, peers);
    await eventually(async () => (await o!.rpc('queueStats')).delivered === 2, 10_000, 'Accepts');

    await Promise.all(peers.map((s) => s.stop()));
    await o.rpc('compose', { content: 'anyone?' });
    // Each failure is judged against the other peer (down too), then the well-known name.
    await eventually(async () => (await o!.rpc('hosts')).filter((h) => h.consecutiveFailures >= 2).length === 2, 8000, 'both peers charged');
    expect((await o.rpc('queueStats')).offline).toBe(false);
  }, 20_000);
});
