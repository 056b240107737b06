// Classifies one delivery attempt: what happened (the delivery policy's outcome) and,
// for failures, an error class for metrics and the host view.

export type ErrorClass =
  | 'http_4xx' | 'http_5xx' | 'http_401' | 'http_408' | 'http_429' | 'http_other'
  | 'gone' | 'timeout' | 'dns' | 'refused' | 'reset' | 'unreachable' | 'tls' | 'blocked' | 'invalid' | 'other';

export const ERROR_CLASSES: readonly ErrorClass[] = [
  'http_4xx', 'http_5xx', 'http_401', 'http_408', 'http_429', 'http_other', 'gone', 'timeout', 'dns', 'refused', 'reset',
  'unreachable', 'tls', 'blocked', 'invalid', 'other',
];

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: 410; errorClass: 'gone'; error: string }
  | { kind: 'permanent'; status: number | null; errorClass: ErrorClass; error: string }
  | { kind: 'retry'; status: number | null; errorClass: ErrorClass; error: string; retryAfterMs?: number };

/**
 * What one attempt came to: an outcome of the delivery policy, or `refunded` — a network
 * failure while this machine was offline, which counts against neither the delivery nor
 * its host.
 */
export type AttemptOutcome = Outcome | { kind: 'refunded'; status: null; errorClass: ErrorClass; error: string };

/** Classes that mean "could not reach the host at all": the machine may be offline. */
export const NETWORK_CLASSES: ReadonlySet<ErrorClass> = new Set(['dns', 'refused', 'reset', 'unreachable', 'timeout']);

/** Retry-After as delay-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime = GMT); ms from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const httpDate = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i.test(v) && /\d{1,2}:\d{2}:\d{2}/.test(v);
  const at = httpDate ? Date.parse(/GMT$/i.test(v) || !/ \d{4}$/.test(v) ? v : `${v} GMT`) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An HTTP answer: 2xx delivered; 410 gone; 401/408/429/5xx retry; other 4xx permanent. */
export function classifyStatus(status: number, retryAfter?: string | string[], now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) return { kind: 'gone', status: 410, errorClass: 'gone', error: 'HTTP 410' };
  const error = `HTTP ${status}`;
  if (status === 401 || status === 408 || status === 429) {
    const ra = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now);
    return { kind: 'retry', status, errorClass: `http_${status}` as ErrorClass, error, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
  }
  if (status >= 500) {
    const ra = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now);
    return { kind: 'retry', status, errorClass: 'http_5xx', error, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
  }
  if (status >= 400) return { kind: 'permanent', status, errorClass: 'http_4xx', error };
  // 1xx/3xx: an inbox that redirects a POST is misconfigured; it may be fixed later.
  return { kind: 'retry', status, errorClass: 'http_other', error };
}

const CODE_CLASSES: Record<string, ErrorClass> = {
  ENOTFOUND: 'dns', EAI_AGAIN: 'dns', EAI_FAIL: 'dns', EAI_NONAME: 'dns', ENODATA: 'dns',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset', EPIPE: 'reset', UND_ERR_SOCKET: 'reset', UND_ERR_CLOSED: 'reset',
  EHOSTUNREACH: 'unreachable', ENETUNREACH: 'unreachable', ENETDOWN: 'unreachable', EHOSTDOWN: 'unreachable', EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'timeout', UND_ERR_CONNECT_TIMEOUT: 'timeout', UND_ERR_HEADERS_TIMEOUT: 'timeout', UND_ERR_BODY_TIMEOUT: 'timeout',
  TimeoutError: 'timeout', AbortError: 'timeout', ESOCKETTIMEDOUT: 'timeout',
  EPRIVATEADDR: 'blocked',
};

/** A request that produced no HTTP answer. */
export function classifyError(err: unknown): Outcome {
  const e = err as { code?: string; name?: string; message?: string; kind?: string; status?: number; cause?: { code?: string; name?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? '';
  const message = e?.message ?? String(err);
  // The server answered, but with a body over our cap (a 202 with a big page, a 503 error
  // page): the status decides. Taken as a network failure, an inbox that accepts every
  // delivery would be retried forever and its host backed off.
  if (e?.kind === 'too_large' && typeof e.status === 'number') return classifyStatus(e.status);
  if (e?.kind === 'blocked' || code === 'EPRIVATEADDR') return { kind: 'permanent', status: null, errorClass: 'blocked', error: message };
  if (e?.kind === 'invalid') return { kind: 'permanent', status: null, errorClass: 'invalid', error: message };
  if (e?.kind === 'timeout') return { kind: 'retry', status: null, errorClass: 'timeout', error: message };
  let errorClass = CODE_CLASSES[code];
  if (!errorClass && (/^ERR_TLS|CERT|SSL/i.test(code) || /certificate|tls|ssl/i.test(message))) errorClass = 'tls';
  // The code once: node's messages usually carry it already ("connect ECONNREFUSED 1.2.3.4:443").
  return { kind: 'retry', status: null, errorClass: errorClass ?? 'other', error: code && !message.includes(code) ? `${code}: ${message}` : message };
}
