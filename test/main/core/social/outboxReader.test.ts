import { describe, expect, it } from 'vitest';
import { readOutboxPage } from '../../../../src/main/core/social/outboxReader';
import { parseActorDocument } from '../../../../src/main/core/federation/remoteActors';
import { FetchError } from '../../../../src/main/core/federation/httpClient';
import { DEFAULT_PEOPLE } from '../../../../src/main/core/config';

const NOW = Date.UTC(2025, 0, 16);
const A = 'https://a.example/users/ann';
const actor = parseActorDocument({
  id: A, type: 'Person', preferredUsername: 'ann', inbox: `${A}/inbox`, outbox: `${A}/outbox`, followers: `${A}/followers`,
}, 'a.example', NOW);

const note = (id: string, extra: object = {}) => ({
  id, type: 'Note', attributedTo: A, content: `<p>${id}</p>`, published: '2025-01-15T10:00:00Z',
  to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${A}/followers`], ...extra,
});

function client(docs: Record<string, object>) {
  const fetched: string[] = [];
  return {
    fetched,
    getActivityJson: async (url: string) => {
      fetched.push(url);
      const d = docs[url];
      if (!d) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
      return d as Record<string, unknown>;
    },
  };
}

const opts = { ...DEFAULT_PEOPLE, deadline: NOW + 60_000, now: () => NOW };

describe('reading an outbox page', () => {
  it('takes notes embedded in Creates, fetches notes named by URL on the same host, and follows `next` on it', async () => {
    const c = client({
      [`${A}/outbox`]: { id: `${A}/outbox`, type: 'OrderedCollection', totalItems: 4, first: `${A}/outbox?page=1` },
      [`${A}/outbox?page=1`]: {
        id: `${A}/outbox?page=1`, type: 'OrderedCollectionPage', next: `${A}/outbox?page=2`,
        orderedItems: [
          { id: `${A}/1/activity`, type: 'Create', actor: A, object: note('https://a.example/notes/1') },
          { id: `${A}/2/activity`, type: 'Create', actor: A, object: 'https://a.example/notes/2' },
          { id: `${A}/b/activity`, type: 'Announce', actor: A, object: 'https://c.example/notes/x' },
        ],
      },
      'https://a.example/notes/2': note('https://a.example/notes/2'),
    });
    const page = await readOutboxPage(c, actor, null, opts);
    expect(page.notes.map((n) => n.uri)).toEqual(['https://a.example/notes/1', 'https://a.example/notes/2']);
    expect(page.next).toBe(`${A}/outbox?page=2`);
    expect(c.fetched).not.toContain('https://c.example/notes/x');
  });

  it('takes nothing that is not the account’s own: other hosts, other authors, a next page elsewhere', async () => {
    const c = client({
      [`${A}/outbox`]: {
        id: `${A}/outbox`, type: 'OrderedCollection', next: 'https://evil.example/page',
        orderedItems: [
          { type: 'Create', actor: A, object: note('https://evil.example/notes/1') },
          { type: 'Create', actor: 'https://a.example/users/other', object: note('https://a.example/notes/3', { attributedTo: 'https://a.example/users/other' }) },
          { type: 'Create', actor: A, object: note('https://a.example/notes/4', { attributedTo: 'https://a.example/users/other' }) },
          'https://evil.example/notes/2',
          { type: 'Create', actor: A, object: note('https://a.example/notes/5', { content: '<p>ok<script>alert(1)</script></p>' }) },
        ],
      },
    });
    const page = await readOutboxPage(c, actor, null, opts);
    expect(page.notes.map((n) => n.uri)).toEqual(['https://a.example/notes/5']);
    expect(page.notes[0]!.contentHtml).toBe('<p>ok</p>');
    expect(page.next).toBeNull();
    expect(c.fetched).toEqual([`${A}/outbox`]);
    await expect(readOutboxPage(c, actor, 'https://evil.example/page', opts)).rejects.toThrow(/is not on a.example/);
  });

  it('fetches at most outboxItemFetchMax items named by URL, and reads at most outboxPageMaxItems', async () => {
    const urls = Array.from({ length: 30 }, (_, i) => `https://a.example/notes/u${i}`);
    const c = client({
      [`${A}/outbox`]: { id: `${A}/outbox`, type: 'OrderedCollection', orderedItems: urls },
      ...Object.fromEntries(urls.map((u) => [u, note(u)])),
    });
    const page = await readOutboxPage(c, actor, null, { ...opts, outboxItemFetchMax: 3 });
    expect(page.notes).toHaveLength(3);
    expect(c.fetched).toHaveLength(4);
  });
});
