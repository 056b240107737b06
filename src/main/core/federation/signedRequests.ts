// Sending a signed request with the double-knock: sign in the spec the host is known to
// take (or the preferred one), and when the answer is 400 or 401 — and only then — try once
// more at once with the other spec (or with what the server's Accept-Signature asked for).
// The host's memory learns from both: the next request goes right the first time. Never
// more than one extra knock per request, and none for a while after a host refused both
// specs (it refuses us, not our signature). Delivery POSTs and signed GETs both come here.
import type { HttpClient, HttpResponse } from './httpClient';
import { signOutgoing, parseAcceptSignature, type SignatureSpecName } from './signatures/outgoing';
import { other, type SignatureSpecMemory } from './hostSignatureSpecs';
import type { KeyObject } from 'node:crypto';

export type { SignatureSpecMemory };

export interface LocalSigner {
  keyId: string;
  privateKey: KeyObject;
}

export interface SignedRequestInput {
  method: 'GET' | 'POST';
  url: string;
  body?: Buffer;
  /** The body's Digest, computed once per activity. */
  digest?: string;
  /** Extra headers (lower-case names). */
  headers?: Record<string, string>;
  /** For the whole request, both knocks included. */
  timeoutMs: number;
  maxBytes: number;
  /** Called with each knock's headers just before it goes out (the delivery engine adds connection: close). */
  beforeSend?: (headers: Record<string, string>) => void;
}

export interface SignedResponse extends HttpResponse {
  /** The spec of the request that got this answer. */
  spec: SignatureSpecName;
  /** 2 when the answer is the double-knock's. */
  knocks: 1 | 2;
  /** The first knock's status, when there were two. */
  firstStatus?: number;
}

const REFUSED = new Set([400, 401]);

export class SignedRequester {
  constructor(
    private readonly http: Pick<HttpClient, 'request'>,
    private readonly signer: () => LocalSigner,
    private readonly specs: SignatureSpecMemory,
    private readonly now: () => number = Date.now,
  ) {}

  /** One request, maybe knocked twice. Network errors and timeouts reject, as HttpClient's do. */
  async request(input: SignedRequestInput): Promise<SignedResponse> {
    const host = new URL(input.url).host;
    const deadline = Date.now() + input.timeoutMs;
    const first = this.specs.specFor(host);
    const res = await this.knock(input, first, undefined, input.timeoutMs);
    if (!REFUSED.has(res.status)) {
      this.specs.accepted(host, first, this.now());
      return { ...res, spec: first, knocks: 1 };
    }
    if (!this.specs.mayDoubleKnock(host, this.now())) return { ...res, spec: first, knocks: 1 };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ...res, spec: first, knocks: 1 };
    // A hint says the server takes RFC 9421, and how: honour it, even after an RFC 9421 knock.
    const hint = parseAcceptSignature(res.headers['accept-signature'], this.signer().keyId);
    const second = hint ? 'rfc9421' : other(first);
    const again = await this.knock(input, second, hint, remaining);
    const through = !REFUSED.has(again.status);
    this.specs.doubleKnocked(host, first, second, through, this.now());
    return { ...again, spec: second, knocks: 2, firstStatus: res.status };
  }

  private async knock(
    input: SignedRequestInput, spec: SignatureSpecName, hint: ReturnType<typeof parseAcceptSignature>, timeoutMs: number,
  ): Promise<HttpResponse> {
    const { keyId, privateKey } = this.signer();
    const headers = await signOutgoing(spec, {
      method: input.method, url: input.url, body: input.body, digest: input.digest, keyId, privateKey, headers: input.headers, hint,
    });
    input.beforeSend?.(headers);
    return this.http.request(input.url, {
      method: input.method, headers, timeoutMs, maxBytes: input.maxBytes, ...(input.body !== undefined ? { body: input.body } : {}),
    });
  }
}
