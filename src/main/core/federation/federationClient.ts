// Fetching remote documents: signed GETs (for servers with authorized fetch), a deadline,
// a size cap, a few redirects, each hop re-checked by the SSRF guard.
import { FetchError, type HttpClient, type HttpResponse } from './httpClient';
import { SignedRequester, type LocalSigner } from './signedRequests';
import type { SignatureSpecMemory } from './hostSignatureSpecs';
import { hostOf, str, type Json } from './activityStreams';
import type { InstanceLimits } from '../config';

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
   */
  async getActivityJson(url: string): Promise<Json> {
    const first = await this.getJson(url, AS_ACCEPT);
    const id = idOfDocument(first.doc, first.url);
    if (hostOf(id) === hostOf(first.url)) return first.doc;
    const again = await this.getJson(id, AS_ACCEPT);
    if (str(again.doc.id) !== id || hostOf(again.url) !== hostOf(id)) {
      throw new FetchError(`${id} (claimed by a document from ${hostOf(first.url)}) is not served by its own host`, 'invalid');
    }
    return again.doc;
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
    const { res, url: finalUrl } = await this.getFollowing(url, 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1', opts);
    const type = res.headers['content-type'];
    return { body: res.body.toString('utf8'), url: finalUrl, contentType: (Array.isArray(type) ? type[0] : type) ?? '' };
  }

  /** The document, and the URL it was finally served from. */
  private async getJson(start: string, accept: string): Promise<{ doc: Json; url: string }> {
    const { res, url } = await this.getFollowing(start, accept, { maxBytes: this.limits.fetchMaxBytes, timeoutMs: this.limits.fetchTimeoutMs });
    try {
      const parsed: unknown = JSON.parse(res.body.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return { doc: parsed as Json, url };
    } catch {
      throw new FetchError(`GET ${url} did not return a JSON object`, 'invalid', res.status);
    }
  }

  /** A 200 answer for `start`, redirects followed (each hop re-checked), and the URL that gave it. */
  private async getFollowing(start: string, accept: string, opts: { maxBytes: number; timeoutMs: number }): Promise<{ res: HttpResponse; url: string }> {
    let url = start;
    // One deadline for the whole fetch, redirects included: a chain of slow hops must not
    // hold an inbox activity (or a lookup) for fetchTimeoutMs per hop.
    const deadline = Date.now() + opts.timeoutMs;
    for (let hop = 0; hop <= this.limits.fetchMaxRedirects; hop++) {
      const timeoutMs = deadline - Date.now();
      if (timeoutMs <= 0) throw new FetchError(`GET ${start} timed out after ${hop} redirects`, 'timeout');
      // Signed in the spec the host takes; a 400/401 is knocked again with the other one.
      const res = await this.requester.request({ method: 'GET', url, headers: { accept }, timeoutMs, maxBytes: opts.maxBytes });
      if (res.status >= 300 && res.status < 400 && typeof res.headers.location === 'string') {
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      if (res.status !== 200) throw new FetchError(`GET ${url} answered ${res.status}`, 'http', res.status);
      return { res, url };
    }
    throw new FetchError(`GET ${start}: too many redirects`, 'invalid');
  }
}

/** A fetched object's id as an absolute http(s) URL; anything else is refused. */
function idOfDocument(doc: Json, servedFrom: string): string {
  const id = str(doc.id);
  if (!id || !/^https?:\/\//i.test(id) || !hostOf(id)) throw new FetchError(`${servedFrom} served an object without an http(s) id`, 'invalid');
  return id;
}
