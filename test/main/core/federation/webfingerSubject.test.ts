// WebFinger as Mastodon does it: the subject names the real handle; a subject on another
// host is confirmed by that host (one re-query); a peer that drops our non-default port
// from the subject is the same host; acct: handles with and without ports, and profile
// URLs, resolve the same actor.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { DEFAULT_LIMITS } from '../../../../src/main/core/config';
import { RemoteActors, parseHandle } from '../../../../src/main/core/federation/remoteActors';
import { FetchError } from '../../../../src/main/core/federation/httpClient';
import type { FederationClient } from '../../../../src/main/core/federation/federationClient';
import type { Json } from '../../../../src/main/core/federation/activityStreams';

const person = (id: string, username: string): Json => ({
  '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Person', preferredUsername: username, inbox: `${id}/inbox`,
  publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: 'PEM' },
});

/** Remote servers as a table: WebFinger answers by host and resource, documents by URL. */
function web(wf: Record<string, Json>, docs: Record<string, Json>) {
  const asked: string[] = [];
  const client = {
    getPlainJson: async (url: string) => {
      const u = new URL(url);
      const key = `${u.host} ${u.searchParams.get('resource')}`;
      asked.push(key);
      const answer = wf[key];
      if (!answer) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
      return answer;
    },
    getActivityJson: async (url: string) => {
      const doc = docs[url];
      if (!doc) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
      return doc;
    },
  } as unknown as FederationClient;
  return { actors: new RemoteActors(openDatabase(':memory:'), client, DEFAULT_LIMITS, false), asked };
}

const self = (href: string) => ({ rel: 'self', type: 'application/activity+json', href });

describe('WebFinger subject', () => {
  it('a subject on another host is confirmed there (Mastodon with LOCAL_DOMAIN ≠ WEB_DOMAIN)', async () => {
    const actor = 'https://social.example.com/users/alice';
    const { actors, asked } = web({
      'social.example.com acct:alice@social.example.com': { subject: 'acct:alice@example.com', links: [self(actor)] },
      'example.com acct:alice@example.com': { subject: 'acct:alice@example.com', links: [self(actor)] },
    }, { [actor]: person(actor, 'alice') });
    expect((await actors.resolveHandle('alice@social.example.com')).uri).toBe(actor);
    expect(asked).toEqual(['social.example.com acct:alice@social.example.com', 'example.com acct:alice@example.com']);
  });

  it('a subject its host does not confirm is refused', async () => {
    const evil = 'https://evil.example/users/alice';
    const { actors } = web({
      'evil.example acct:alice@evil.example': { subject: 'acct:alice@bank.example', links: [self(evil)] },
      'bank.example acct:alice@bank.example': { subject: 'acct:alice@bank.example', links: [self('https://bank.example/users/alice')] },
    }, { [evil]: person(evil, 'alice') });
    await expect(actors.resolveHandle('alice@evil.example')).rejects.toThrow(/different actors/);
  });

  it('a peer that drops our non-default port from the subject is the same host: no re-query', async () => {
    const actor = 'https://127.0.1.5:8443/users/bob';
    const { actors, asked } = web({
      '127.0.1.5:8443 acct:bob@127.0.1.5:8443': { subject: 'acct:bob@127.0.1.5', links: [self(actor)] },
    }, { [actor]: person(actor, 'bob') });
    expect((await actors.resolveHandle('@bob@127.0.1.5:8443')).uri).toBe(actor);
    expect(asked).toHaveLength(1);
  });

  it('acct: handles with and without @ and ports, and the profile URL, resolve the same actor', async () => {
    const actor = 'https://host.example:8443/users/carol';
    const { actors } = web({
      'host.example:8443 acct:carol@host.example:8443': { subject: 'acct:carol@host.example:8443', links: [self(actor)] },
    }, { [actor]: person(actor, 'carol') });
    for (const h of ['acct:carol@host.example:8443', '@carol@host.example:8443', 'carol@host.example:8443', actor]) {
      expect((await actors.resolveHandle(h, { refresh: true })).uri).toBe(actor);
    }
    expect(parseHandle('acct:carol@host.example')).toEqual({ username: 'carol', host: 'host.example' });
  });
});
