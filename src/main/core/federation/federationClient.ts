// Fetching remote documents: signed GETs (for servers with authorized fetch), a deadline,
// a size cap, a few redirects, each hop re-checked by the SSRF guard.
import { FetchError, type HttpClient } from './httpClient';
import { SignedRequester, type LocalSigner } from './signedRequests';
import type { SignatureSpecMemory } from './hostSignatureSpecs';
import { hostOf, str, type Json } from './activityStreams';
import type { InstanceLimits } from '../config';
import { alternateActivityLink } from './alternateLink';

export type { LocalSigner };

const AS_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export class FederationClient {
  private readonly requester: SignedRequester;

  /** @param specs which signature spec each host takes (the double-knock's memory, shared with delivery) */
  constructor(
    readonly http: HttpClient,
    signer: () => LocalSigner,
    private readonly limits: Pick<InstanceLimits, 'fetchMaxBytes' | 'fetchTimeoutMs' | 'fetchMaxRedirects'>,
    specs: SignatureSpecMemory,
  ) {
    this.requester = new SignedRequester(http, signer, specs);
  }

  /**
   * GETs an ActivityStreams object, signed with the local actor's key. The object's `id`
   * is on the host that finally served it (after redirects), or the object is fetched
   * again from its own `id`, which must then answer with itself from its own host: an open
   * redirect on one server never lets another server's document speak for it (the class
   * of Mastodon's CVE-2024-23832). Callers still compare the id with what they asked for.
   * `deadline` (epoch ms) cuts the fetch short when an outer chain runs out of time.
   */
  async getActivityJson(url: string, opts: FetchOptions = {}): Promise<Json> {
    return this.fromItsHost(await this.getJson(url, AS_ACCEPT, opts.deadline), opts.deadline);
  }

  /**
   * The ActivityStreams object behind a URL a person pasted (a post's or a profile's page):
   * asked for by content negotiation first; a server that answers with HTML anyway is
   * followed through the page's `<link rel="alternate" type="application/activity+json">`
   * (one hop). The object then passes the same origin rule as getActivityJson.
   */
  async getActivityJsonFromPage(url: string, opts: FetchOptions = {}): Promise<Json> {
    const res = await this.get(url, `${AS_ACCEPT}, text/html;q=0.5`, { deadline: opts.deadline });
    if (!isHtml(res.contentType, res.body)) return this.fromItsHost({ doc: parseJsonObject(res.body, res.url, res.status), url: res.url }, opts.deadline);
    const link = alternateActivityLink(res.body.toString('utf8'), res.url);
    if (!link) throw new FetchError(`${res.url} is a web page without an ActivityPub object`, 'invalid', res.status);
    return this.getActivityJson(link, opts);
  }

  /** GETs plain JSON (WebFinger, NodeInfo), signed too: some servers want every request signed. */
  async getPlainJson(url: string, accept = 'application/json'): Promise<Json> {
    return (await this.getJson(url, accept)).doc;
  }

  /**
   * GETs a web page (a profile field's link, to look for rel="me"), following redirects
   * through the same guard; `maxBytes` and `timeoutMs` bound the whole fetch.
   */
  async getPage(url: string, opts: { maxBytes: number; timeoutMs: number }): Promise<{ body: string; url: string; contentType: string }> {
    const res = await this.get(url, 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1', { deadline: Date.now() + opts.timeoutMs, maxBytes: opts.maxBytes });
    return { body: res.body.toString('utf8'), url: res.url, contentType: res.contentType };
  }

  /** The origin rule of getActivityJson, applied to a document and where it was served from. */
  private async fromItsHost(first: { doc: Json; url: string }, deadline?: number): Promise<Json> {
    const id = idOfDocument(first.doc, first.url);
    if (hostOf(id) === hostOf(first.url)) return first.doc;
    const again = await this.getJson(id, AS_ACCEPT, deadline);
    if (str(again.doc.id) !== id || hostOf(again.url) !== hostOf(id)) {
      throw new FetchError(`${id} (claimed by a document from ${hostOf(first.url)}) is not served by its own host`, 'invalid');
    }
    return again.doc;
  }

  /** The document, and the URL it was finally served from. */
  private async getJson(start: string, accept: string, deadline?: number): Promise<{ doc: Json; url: string }> {
    const res = await this.get(start, accept, { deadline });
    return { doc: parseJsonObject(res.body, res.url, res.status), url: res.url };
  }

  /**
   * A 200 answer's body and type for `start`, redirects followed (each hop re-checked), and
   * the URL that gave it. At most fetchTimeoutMs (and by `deadline`), fetchMaxBytes (or `maxBytes`).
   */
  private async get(start: string, accept: string, opts: { deadline?: number; maxBytes?: number } = {}): Promise<{ body: Buffer; contentType: string; url: string; status: number }> {
    let url = start;
    const maxBytes = opts.maxBytes ?? this.limits.fetchMaxBytes;
    // One deadline for the whole fetch, redirects included: a chain of slow hops must not
    // hold an inbox activity (or a lookup) for fetchTimeoutMs per hop.
    const deadline = Math.min(Date.now() + this.limits.fetchTimeoutMs, opts.deadline ?? Number.POSITIVE_INFINITY);
    for (let hop = 0; hop <= this.limits.fetchMaxRedirects; hop++) {
      const timeoutMs = deadline - Date.now();
      if (timeoutMs <= 0) throw new FetchError(`GET ${start} timed out after ${hop} redirects`, 'timeout');
      // Signed in the spec the host takes; a 400/401 is knocked again with the other one.
      const res = await this.requester.request({ method: 'GET', url, headers: { accept }, timeoutMs, maxBytes });
      if (res.status >= 300 && res.status < 400 && typeof res.headers.location === 'string') {
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      if (res.status !== 200) throw new FetchError(`GET ${url} answered ${res.status}`, 'http', res.status);
      const type = res.headers['content-type'];
      return { body: res.body, contentType: (Array.isArray(type) ? type[0] : type) ?? '', url, status: res.status };
    }
    throw new FetchError(`GET ${start}: too many redirects`, 'invalid');
  }
}

export interface FetchOptions {
  /** Epoch ms by which the whole fetch must be done (never later than fetchTimeoutMs from now). */
  deadline?: number;
}

function parseJsonObject(body: Buffer, url: string, status: number): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Json;
  } catch {
    throw new FetchError(`GET ${url} did not return a JSON object`, 'invalid', status);
  }
}

function isHtml(contentType: string, body: Buffer): boolean {
  if (/^\s*text\/html/i.test(contentType)) return true;
  return !/json/i.test(contentType) && /^\s*</.test(body.subarray(0, 64).toString('utf8'));
}

/** A fetched object's id as an absolute http(s) URL; anything else is refused. */
function idOfDocument(doc: Json, servedFrom: string): string {
  const id = str(doc.id);
  if (!id || !/^https?:\/\//i.test(id) || !hostOf(id)) throw new FetchError(`${servedFrom} served an object without an http(s) id`, 'invalid');
  return id;
}
