// Small helpers for reading ActivityStreams JSON as real servers send it:
// a property may be a URI, an object with an id, or an array of either.

export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
export const SECURITY_CONTEXT = 'https://w3id.org/security/v1';
export const AS_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
export const AS_CONTENT_TYPE = 'application/activity+json';
export const LD_CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export type Json = Record<string, unknown>;

export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** The id of a property that is a URI string or an object with an `id`. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).id === 'string') return (value as Json).id as string;
  return undefined;
}

export function idsOf(value: unknown): string[] {
  return asArray(value).map(idOf).filter((x): x is string => typeof x === 'string');
}

export function isPublicAddress(uri: string): boolean {
  return uri === AS_PUBLIC || uri === 'as:Public' || uri === 'Public';
}

export function typeOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const t = (value as Json).type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && typeof t[0] === 'string') return t[0];
  return undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The host (hostname[:port]) of a URI, lower-cased; undefined when it is not a URL. */
export function hostOf(uri: string): string | undefined {
  try {
    return new URL(uri).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** True when an Accept header asks for ActivityStreams JSON rather than HTML. */
export function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const a = accept.toLowerCase();
  return a.includes('application/activity+json') || a.includes('application/ld+json') || (a.includes('application/json') && !a.includes('text/html'));
}

/** True when a Content-Type is one an inbox accepts. */
export function isActivityContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base === 'application/activity+json' || base === 'application/ld+json' || base === 'application/json';
}
