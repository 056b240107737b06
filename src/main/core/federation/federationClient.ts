// Fetching remote documents: signed GETs (for servers with authorized fetch), a deadline,
// a size cap, a few redirects, each hop re-checked by the SSRF guard.
import type { KeyObject } from 'node:crypto';
import { FetchError, type HttpClient } from './httpClient';
import { signRequest } from './signatures/cavage';
import type { Json } from './activityStreams';
import type { InstanceLimits } from '../config';

export interface LocalSigner {
  keyId: string;
  privateKey: KeyObject;
}

const AS_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export class FederationClient {
  constructor(
    readonly http: HttpClient,
    private readonly signer: () => LocalSigner,
    private readonly limits: Pick<InstanceLimits, 'fetchMaxBytes' | 'fetchTimeoutMs' | 'fetchMaxRedirects'>,
  ) {}

  /** GETs an ActivityStreams document, signed with the local actor's key. */
  async getActivityJson(url: string): Promise<Json> {
    return this.getJson(url, AS_ACCEPT);
  }

  /** GETs plain JSON (WebFinger, NodeInfo), signed too: some servers want every request signed. */
  async getPlainJson(url: string, accept = 'application/json'): Promise<Json> {
    return this.getJson(url, accept);
  }

  private async getJson(start: string, accept: string): Promise<Json> {
    let url = start;
    for (let hop = 0; hop <= this.limits.fetchMaxRedirects; hop++) {
      const { keyId, privateKey } = this.signer();
      const headers = await signRequest({ method: 'GET', url, keyId, privateKey, headers: { accept } });
      const res = await this.http.request(url, {
        method: 'GET',
        headers,
        timeoutMs: this.limits.fetchTimeoutMs,
        maxBytes: this.limits.fetchMaxBytes,
      });
      if (res.status >= 300 && res.status < 400 && typeof res.headers.location === 'string') {
        url = new URL(res.headers.location, url).toString();
        continue;
      }
      if (res.status !== 200) throw new FetchError(`GET ${url} answered ${res.status}`, 'http', res.status);
      try {
        const parsed: unknown = JSON.parse(res.body.toString('utf8'));
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        return parsed as Json;
      } catch {
        throw new FetchError(`GET ${url} did not return a JSON object`, 'invalid', res.status);
      }
    }
    throw new FetchError(`GET ${start}: too many redirects`, 'invalid');
  }
}
