// What the inbox refuses: unsigned, forged, tampered, stale, oversized and malformed
// requests. Each gets its own 4xx and leaves no trace: nothing in inbox_items, no new
// follower or notification, no Accept sent back.
import { request as httpRequest } from 'node:http';
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';
import { digestHeader, signRequest, signingString } from '../support/remote/signing';

const AS = 'https://www.w3.org/ns/activitystreams';
const HOUR = 3_600_000;
const MiB = 1024 * 1024;

let outpost: TestOutpost;
let a: FakeRemote;
let b: FakeRemote;
let sharedInbox = '';
let personalInbox = '';
const otherKey = createPrivateKey(generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
}).privateKey);

let seq = 0;
/** A fresh Follow of alice (a new id each time, so no rejection can hide behind deduplication). */
const follow = (from: FakeRemote, over: Record<string, unknown> = {}) => ({
  '@context': AS, id: `${from.origin}/follows/${++seq}`, type: 'Follow', actor: from.actorId, object: outpost.actor, ...over,
});

/** Signs `body` as remote `from` would for `url`, covering `components` (default: what signRequest covers). */
async function signedHeaders(from: FakeRemote, url: string, body: string, opts: { components?: string[]; contentType?: string; keyId?: string; date?: string } = {}) {
  if (!opts.components) {
    return signRequest({ method: 'POST', url, body, keyId: opts.keyId ?? from.keyId, privateKey: from.privateKey, contentType: opts.contentType });
  }
  const u = new URL(url);
  const headers: Record<string, string> = {
    host: u.host, date: opts.date ?? new Date().toUTCString(), digest: digestHeader(body), 'content-type': opts.contentType ?? 'application/activity+json',
  };
  const data = signingString(opts.components, { method: 'POST', path: u.pathname + u.search, headers });
  const sig = cryptoSign('sha256', Buffer.from(data, 'utf8'), from.privateKey).toString('base64');
  headers.signature = `keyId="${opts.keyId ?? from.keyId}",algorithm="rsa-sha256",headers="${opts.components.join(' ')}",signature="${sig}"`;
  return headers;
}

/** POSTs with exactly these headers (Host comes from the URL). */
async function send(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const { host: _host, ...sendable } = headers;
  void _host;
  const res = await fetch(url, { method: 'POST', headers: sendable, body });
  await res.arrayBuffer();
  return res.status;
}

/**
 * POSTs a body in 64 KiB pieces over node:http, with a Content-Length or chunked, and
 * returns the status even when the server answers (and closes) before the upload ends.
 */
function sendLarge(url: string, headers: Record<string, string>, body: Buffer, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const { host: _host, ...rest } = headers;
    void _host;
    const req = httpRequest({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: chunked ? { ...rest, 'transfer-encoding': 'chunked' } : { ...rest, 'content-length': String(body.length) },
    });
    let status: number | undefined;
    req.on('response', (res) => {
      status = res.statusCode;
      res.resume();
      res.on('end', () => resolve(status!));
      res.on('error', () => resolve(status!));
    });
    req.on('error', (err) => (status !== undefined ? resolve(status) : reject(err)));
    void (async () => {
      for (let off = 0; off < body.length && status === undefined && !req.destroyed; off += 64 * 1024) {
        if (!req.write(body.subarray(off, off + 64 * 1024))) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => {});
  });
}

const itemCount = () => (outpost.running.instance.db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n;
let baseline: { items: number; followers: unknown; notifications: number; accepts: number };
const snapshot = async () => ({
  items: itemCount(),
  followers: (await outpost.rpc('followers')).map((f) => [f.actor.uri, f.state]),
  notifications: (await outpost.rpc('notifications', {})).notifications.length,
  accepts: [a, b].reduce((n, r) => n + r.received.filter((x) => x.json?.type === 'Accept').length, 0),
});

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.1.30', username: 'alice' });
  sharedInbox = `${outpost.publicUrl}/inbox`;
  personalInbox = `${outpost.actor}/inbox`;
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host };
  a = await new FakeRemote({ host: '127.0.1.31', kind: 'mastodon', vars }).start();
  b = await new FakeRemote({ host: '127.0.1.32', kind: 'gotosocial', vars }).start();
  // Another account on a's server (with a key of its own), to impersonate bob from.
  a.documents.set('/users/mallory', {
    ...a.actor, id: `${a.origin}/users/mallory`, preferredUsername: 'mallory', inbox: `${a.origin}/users/mallory/inbox`,
    publicKey: { id: `${a.origin}/users/mallory#main-key`, owner: `${a.origin}/users/mallory`, publicKeyPem: a.publicKeyPem },
  });
  baseline = await snapshot();
  expect(baseline.items).toBe(0);
});

afterAll(async () => {
  await outpost?.stop();
  await a?.stop();
  await b?.stop();
});

interface Case { name: string; status: number; send: () => Promise<number> }

const cases: Case[] = [
  { name: 'no Signature header', status: 401, send: async () => (await a.post(sharedInbox, follow(a), { sign: false })).status },
  {
    name: 'a malformed Signature header', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), { mutate: (h, body) => ({ headers: { ...h, signature: 'keyId=nope' }, body }) })).status,
  },
  {
    name: 'an algorithm other than RSA-SHA256', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), {
      mutate: (h, body) => ({ headers: { ...h, signature: h.signature!.replace('algorithm="rsa-sha256"', 'algorithm="ed25519"') }, body }),
    })).status,
  },
  {
    name: "a signature by a key the remote doesn't publish (under its keyId)", status: 401,
    send: async () => (await a.post(personalInbox, follow(a), { key: otherKey })).status,
  },
  {
    name: 'the body altered after signing (Digest mismatch)', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), {
      mutate: (h, body) => ({ headers: h, body: body.replace(outpost.actor, `${outpost.actor}?x`) }),
    })).status,
  },
  {
    name: 'the body altered and its Digest recomputed (signature mismatch)', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), {
      mutate: (h, body) => {
        const changed = body.replace('"Follow"', '"Follow" ');
        return { headers: { ...h, digest: digestHeader(changed) }, body: changed };
      },
    })).status,
  },
  {
    name: 'Digest left out of the signed headers', status: 401,
    send: async () => {
      const body = JSON.stringify(follow(a));
      return send(sharedInbox, await signedHeaders(a, sharedInbox, body, { components: ['(request-target)', 'host', 'date', 'content-type'] }), body);
    },
  },
  {
    name: 'a signed Digest header that is not sent', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), {
      mutate: (h, body) => {
        const { digest: _d, ...rest } = h;
        void _d;
        return { headers: rest, body };
      },
    })).status,
  },
  { name: 'a Date 13 h old', status: 401, send: async () => (await a.post(sharedInbox, follow(a), { now: Date.now() - 13 * HOUR })).status },
  { name: 'a Date 2 h in the future', status: 401, send: async () => (await a.post(sharedInbox, follow(a), { now: Date.now() + 2 * HOUR })).status },
  {
    name: 'an unparseable Date', status: 401,
    send: async () => {
      const body = JSON.stringify(follow(a));
      return send(sharedInbox, await signedHeaders(a, sharedInbox, body, { components: ['(request-target)', 'host', 'date', 'digest'], date: 'yesterday-ish' }), body);
    },
  },
  {
    name: 'a signature made for another inbox path', status: 401,
    send: async () => {
      const body = JSON.stringify(follow(a));
      return send(personalInbox, await signRequest({ method: 'POST', url: sharedInbox, body, keyId: a.keyId, privateKey: a.privateKey }), body);
    },
  },
  {
    name: 'a signature made for another host', status: 401,
    send: async () => {
      const body = JSON.stringify(follow(a));
      return send(sharedInbox, await signRequest({ method: 'POST', url: `${b.origin}/inbox`, body, keyId: a.keyId, privateKey: a.privateKey }), body);
    },
  },
  {
    name: 'an actor on another host than the signer (A signs as B)', status: 401,
    send: async () => (await a.post(sharedInbox, follow(b))).status,
  },
  {
    name: 'an actor other than the signer on the same host (mallory signs as bob)', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a), { keyId: `${a.origin}/users/mallory#main-key` })).status,
  },
  {
    name: "an activity id on another host than the actor's", status: 401,
    send: async () => (await a.post(sharedInbox, follow(a, { id: `${b.origin}/follows/forged-${++seq}` }))).status,
  },
  {
    name: 'a keyId whose actor document is 404', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a, { actor: `${a.origin}/users/ghost` }), { keyId: `${a.origin}/users/ghost#main-key` })).status,
  },
  {
    name: 'a keyId on a server that does not answer', status: 401,
    send: async () => (await a.post(sharedInbox, follow(a, { id: `http://127.0.1.39:9/follows/${++seq}`, actor: 'http://127.0.1.39:9/users/bob' }), {
      keyId: 'http://127.0.1.39:9/users/bob#main-key',
    })).status,
  },
  {
    name: 'a body over 1 MiB with an honest Content-Length', status: 413,
    send: async () => {
      const body = JSON.stringify(follow(a, { padding: 'x'.repeat(1.5 * MiB) }));
      return sendLarge(sharedInbox, await signedHeaders(a, sharedInbox, body), Buffer.from(body), false);
    },
  },
  {
    name: 'a body over 1 MiB streamed chunked, without Content-Length', status: 413,
    send: async () => {
      const body = JSON.stringify(follow(a, { padding: 'x'.repeat(1.5 * MiB) }));
      return sendLarge(sharedInbox, await signedHeaders(a, sharedInbox, body), Buffer.from(body), true);
    },
  },
  {
    name: 'invalid JSON', status: 400,
    send: async () => {
      const body = JSON.stringify(follow(a)).slice(0, -5);
      return send(sharedInbox, await signedHeaders(a, sharedInbox, body), body);
    },
  },
  ...(['id', 'actor', 'type'] as const).map((field): Case => ({
    name: `JSON without ${field}`, status: 400,
    send: async () => {
      const activity: Record<string, unknown> = follow(a);
      delete activity[field];
      return (await a.post(sharedInbox, activity)).status;
    },
  })),
  { name: 'a JSON array', status: 400, send: async () => (await a.post(sharedInbox, JSON.stringify([follow(a)]))).status },
  { name: 'an id that is not a URL', status: 400, send: async () => (await a.post(sharedInbox, follow(a, { id: 'urn:uuid:1234' }))).status },
  {
    name: 'Content-Type text/plain', status: 415,
    send: async () => {
      const body = JSON.stringify(follow(a));
      return send(sharedInbox, await signedHeaders(a, sharedInbox, body, { contentType: 'text/plain' }), body);
    },
  },
  {
    name: "a valid Follow posted to an unknown user's inbox", status: 404,
    send: async () => (await a.post(`${outpost.publicUrl}/users/nobody/inbox`, follow(a, { object: `${outpost.publicUrl}/users/nobody` }))).status,
  },
];

describe('the inbox refuses', () => {
  it.each(cases)('$name → $status', async (c) => {
    const before = await snapshot();
    const status = await c.send();
    expect(status).toBe(c.status);
    // Nothing was stored, so nothing can be processed later either.
    await outpost.running.instance.inboxProcessor.drain();
    expect(await snapshot()).toEqual(before);
  });

  it('(all of them together left the instance as it started)', async () => {
    expect(await snapshot()).toEqual(baseline);
  });
});

describe('the inbox accepts', () => {
  it('a Delete of an account that is gone and was never seen: 202, nothing stored', async () => {
    const ghost = `${a.origin}/users/ghost`;
    const res = await a.post(sharedInbox, { '@context': AS, id: `${ghost}#delete`, type: 'Delete', actor: ghost, object: ghost }, { keyId: `${ghost}#main-key` });
    expect(res.status).toBe(202);
    expect(await snapshot()).toEqual(baseline);
  });

  it('a correctly signed Follow (control: the cases above failed for their own reason)', async () => {
    const activity = follow(a);
    expect((await a.post(sharedInbox, activity)).status).toBe(202);
    expect(itemCount()).toBe(baseline.items + 1);
    await outpost.running.instance.inboxProcessor.drain();
    expect((await outpost.rpc('followers')).map((f) => [f.actor.uri, f.state])).toEqual([[a.actorId, 'accepted']]);
  });
});
