// Property-based tests (fast-check) of everything that reads a stranger's bytes: the two
// signature-header grammars, the inbox's JSON path, and the actor, note, handle and
// WebFinger readers. Random and malformed input never crashes (only the parser's own
// error type comes out) and never writes to the store.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader } from '../../src/main/core/federation/signatures/cavage';
import { parseMessageSignature } from '../../src/main/core/federation/signatures/rfc9421';
import { parseDictionary, StructuredFieldError } from '../../src/main/core/federation/signatures/structuredFields';
import { SignatureError } from '../../src/main/core/federation/signatures/common';
import { checkSignature } from '../../src/main/core/federation/signatures/verifier';
import { ActorDocumentError, httpUrl, parseActorDocument, parseHandle } from '../../src/main/core/federation/remoteActors';
import { NoteParseError, parseRemoteNote } from '../../src/main/core/social/remoteNotes';
import { ActivityShapeError, parseActivity } from '../../src/main/core/inbox/boundedJson';
import { InboxHandler } from '../../src/main/core/inbox/inboxHandler';
import { openDatabase } from '../../src/main/core/store/database';
import { DEFAULT_INBOX, DEFAULT_LIMITS } from '../../src/main/core/config';
import { silentLogger } from '../../src/main/core/logger';
import type { RemoteActors } from '../../src/main/core/federation/remoteActors';
import type { Json } from '../../src/main/core/federation/activityStreams';
import { BlockList } from '../../src/main/core/social/blockList';

const RUNS = { numRuns: 400 };

/** Runs `fn`; passes when it returns or throws one of `allowed`, and reports anything else. */
function onlyThrows(fn: () => unknown, ...allowed: (new (...args: never[]) => Error)[]): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return true;
    throw err;
  }
}

/** Strings shaped like the grammar, to get past the first character more often than pure noise. */
const headerish = fc.oneof(
  fc.string(),
  fc.array(fc.tuple(fc.constantFrom('keyId', 'signature', 'headers', 'algorithm', 'created', 'expires', 'x', ''), fc.string()))
    .map((pairs) => pairs.map(([k, v]) => `${k}="${v}"`).join(',')),
  fc.array(fc.constantFrom('sig1=', '(', ')', '"@method"', ';', 'created=', 'keyid="k"', ':', 'YWJj', ',', ' ', '?1', '-1.5', '\\', '"'))
    .map((parts) => parts.join('')),
);

describe('signature headers', () => {
  it('draft-cavage Signature: a parse or a SignatureError', () => {
    fc.assert(fc.property(headerish, (s) => onlyThrows(() => parseSignatureHeader(s), SignatureError)), RUNS);
  });

  it('RFC 8941 dictionaries: a parse or a StructuredFieldError', () => {
    fc.assert(fc.property(headerish, (s) => onlyThrows(() => parseDictionary(s), StructuredFieldError)), RUNS);
  });

  it('RFC 9421 Signature-Input/Signature: a parse or a SignatureError', () => {
    fc.assert(fc.property(headerish, headerish, (input, sig) =>
      onlyThrows(() => parseMessageSignature({ 'signature-input': input, signature: sig }), SignatureError)), RUNS);
  });

  it('the pre-key check answers every header set with a verdict, never an exception', () => {
    fc.assert(fc.property(headerish, headerish, fc.string(), fc.option(fc.string()), (sig, input, date, digest) => {
      const headers: Record<string, string> = { host: 'outpost.example', signature: sig, 'signature-input': input, date };
      if (digest !== null) headers.digest = digest;
      const r = checkSignature({ method: 'POST', path: '/inbox', headers, body: Buffer.from('{}') }, { window: DEFAULT_LIMITS });
      return r.ok === true || typeof r.reason === 'string';
    }), RUNS);
  });
});

describe('the inbox JSON path', () => {
  it('the bounded reader: an object or an ActivityShapeError', () => {
    const bodies = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')));
    fc.assert(fc.property(bodies, (s) => onlyThrows(() => parseActivity(Buffer.from(s), DEFAULT_INBOX.shape), ActivityShapeError)), RUNS);
  });

  it('the inbox answers random requests with a 4xx and stores nothing', async () => {
    const db = openDatabase(':memory:');
    let fetched = 0;
    const actors = { forKey: async () => { fetched++; throw new Error('no keys here'); }, cached: () => undefined } as unknown as RemoteActors;
    const handler = new InboxHandler({
      db, actors, limits: DEFAULT_LIMITS, inbox: DEFAULT_INBOX, log: silentLogger, federationBlocked: () => null, retryAfterSeconds: () => 3600, onStored: () => {},
      pendingFor: () => ({ items: 0, bytes: 0 }), blocks: new BlockList(db),
    });
    const request = fc.record({
      body: fc.oneof(fc.string(), fc.json(), fc.constant('{"id":"https://a.example/1","type":"Follow","actor":"https://a.example/u"}')),
      contentType: fc.constantFrom('application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'text/plain', ''),
      signature: fc.option(headerish),
      date: fc.option(fc.oneof(fc.string(), fc.constant(new Date().toUTCString()))),
    });
    await fc.assert(fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = { host: 'outpost.example', 'content-type': r.contentType };
      if (r.signature !== null) headers.signature = r.signature;
      if (r.date !== null) headers.date = r.date;
      const res = await handler.handle({ method: 'POST', path: '/inbox', headers, body: Buffer.from(r.body) });
      expect([400, 401, 413, 415, 429]).toContain(res.status);
    }), { numRuns: 300 });
    expect((db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n).toBe(0);
    expect(fetched).toBe(0); // nothing random ever carried a valid digest and date: no key was fetched
  });
});

describe('remote documents', () => {
  const doc = fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.record({
      id: fc.oneof(fc.webUrl(), fc.string()), type: fc.constantFrom('Person', 'Service', 'Note', 'Group', 'x'),
      inbox: fc.oneof(fc.webUrl(), fc.string()), url: fc.oneof(fc.webUrl(), fc.string(), fc.constant('javascript:alert(1)')),
      icon: fc.jsonValue(), publicKey: fc.jsonValue(), endpoints: fc.jsonValue(), preferredUsername: fc.jsonValue(), name: fc.jsonValue(),
      summary: fc.jsonValue(), attributedTo: fc.jsonValue(), content: fc.jsonValue(), to: fc.jsonValue(), cc: fc.jsonValue(), tag: fc.jsonValue(),
    }, { requiredKeys: [] }),
  );

  it('actor documents: a parsed actor whose links are all http(s), or an ActorDocumentError', () => {
    fc.assert(fc.property(doc, (d) => onlyThrows(() => {
      const a = parseActorDocument(d as Json, undefined, 0);
      for (const link of [a.uri, a.inbox, a.url, a.iconUrl, a.sharedInbox]) if (link !== null) expect(httpUrl(link)).not.toBeNull();
    }, ActorDocumentError)), RUNS);
  });

  it('notes: a parsed note with sanitized HTML, or a NoteParseError', () => {
    fc.assert(fc.property(doc, (d) => onlyThrows(() => {
      const n = parseRemoteNote(d as Json, 'id1', null, 0);
      expect(n.contentHtml).not.toMatch(/<script|javascript:/i);
    }, NoteParseError)), RUNS);
  });

  it('handles (WebFinger input): a {username, host} or undefined, never an exception', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.emailAddress(), fc.webUrl()), (h) => {
      const p = parseHandle(h);
      return p === undefined || (p.username.length > 0 && !p.username.includes('@') && p.host === p.host.toLowerCase());
    }), RUNS);
  });
});
