// The admin API over HTTP: auth, error shapes, SSE events, and cross-origin refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { readEvents } from '../support/tunedOutpost';

let o: TestOutpost;
beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.50', username: 'erin' });
});
afterAll(() => o?.stop());

describe('admin HTTP transport', () => {
  it('streams events over SSE with the bearer token', async () => {
    const { ready, done } = readEvents(o.running.adminUrl, o.running.token, (ev) => ev.some((e) => e.event === 'timeline'));
    await ready;
    await o.rpc('compose', { content: 'an event should follow' });
    const { status, events } = await done;
    expect(status).toBe(200);
    expect(events.map((e) => e.event)).toContain('timeline');
  });

  it('accepts the token as a query parameter for EventSource, and refuses without it', async () => {
    const res = await fetch(`${o.running.adminUrl}/events`);
    expect(res.status).toBe(401);
    const ctrl = new AbortController();
    const ok = await fetch(`${o.running.adminUrl}/events?token=${encodeURIComponent(o.running.token)}`, { signal: ctrl.signal });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/event-stream');
    ctrl.abort();
  });

  it('refuses cross-origin calls even with the token', async () => {
    const res = await fetch(`${o.running.adminUrl}/rpc/status`, {
      method: 'POST', headers: { authorization: `Bearer ${o.running.token}`, origin: 'https://evil.example' }, body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('answers malformed bodies and unknown fields with 400 naming the problem', async () => {
    const res = await fetch(`${o.running.adminUrl}/rpc/compose`, {
      method: 'POST', headers: { authorization: `Bearer ${o.running.token}`, 'content-type': 'application/json' }, body: '{nope',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'bad_params', message: 'request body is not JSON' });
    const unknown = await o.rpcRaw('compose', { content: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
  });

  it('pages the timeline by cursor, newest first', async () => {
    for (let i = 0; i < 5; i++) await o.rpc('compose', { content: `post ${i}` });
    const first = await o.rpc('timeline', { limit: 3 });
    expect(first.entries).toHaveLength(3);
    expect(first.next).toBe(first.entries[2]!.cursor); // the last entry's cursor: the next page starts after it
    const second = await o.rpc('timeline', { limit: 3, before: first.next! });
    const all = [...first.entries, ...second.entries].map((e) => e.note.contentHtml);
    expect(all.slice(0, 5)).toEqual([4, 3, 2, 1, 0].map((i) => `<p>post ${i}</p>`));
    expect(new Set(all).size).toBe(all.length);
    const bad = await o.rpcRaw('timeline', { before: 'garbage' });
    expect(bad.status).toBe(400);
  });
});
