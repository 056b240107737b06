// Reading an activity body that has passed its signature's pre-key checks but is still a
// stranger's bytes: nesting is measured on the raw text before JSON.parse (a megabyte of
// "[" would otherwise block the event loop inside the parser), then the parsed value's
// arrays, strings and the lists Outpost walks are held to caps. Over a cap: 413; not JSON
// or not an object: 400. Nothing is stored either way.

import type { ActivityShapeLimits } from '../config';

export class ActivityShapeError extends Error {
  constructor(message: string, readonly status: 400 | 413) {
    super(message);
    this.name = 'ActivityShapeError';
  }
}

const LISTS = ['to', 'cc', 'bto', 'bcc', 'audience', 'tag'];
const TEXTS = ['content', 'summary', 'name'];
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of the JSON text, strings skipped; stops counting past `limit`. */
export function nestingDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_SQUARE || c === CLOSE_CURLY) depth--;
  }
  return deepest;
}

/** Parses an activity body within the limits; throws ActivityShapeError. */
export function parseActivity(bytes: Buffer, limits: ActivityShapeLimits): Record<string, unknown> {
  if (nestingDepth(bytes, limits.maxDepth) > limits.maxDepth) throw new ActivityShapeError(`nested deeper than ${limits.maxDepth}`, 413);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ActivityShapeError('body is not a JSON object', 400);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ActivityShapeError('body is not a JSON object', 400);
  checkArrays(value, limits.maxArrayLength);
  const activity = value as Record<string, unknown>;
  for (const part of [activity, activity.object]) {
    if (!part || typeof part !== 'object' || Array.isArray(part)) continue;
    const o = part as Record<string, unknown>;
    for (const k of LISTS) {
      if (Array.isArray(o[k]) && (o[k] as unknown[]).length > limits.maxAddressees) throw new ActivityShapeError(`${k} has more than ${limits.maxAddressees} entries`, 413);
    }
    for (const k of TEXTS) {
      for (const text of textsOf(o[k], o[`${k}Map`])) {
        if (text.length > limits.maxContentChars) throw new ActivityShapeError(`${k} is longer than ${limits.maxContentChars} characters`, 413);
      }
    }
  }
  return activity;
}

function textsOf(value: unknown, map: unknown): string[] {
  const out = typeof value === 'string' ? [value] : [];
  if (map && typeof map === 'object') for (const v of Object.values(map)) if (typeof v === 'string') out.push(v);
  return out;
}

/** Every array in the (depth-checked) value is at most `max` long. */
function checkArrays(value: unknown, max: number): void {
  if (Array.isArray(value)) {
    if (value.length > max) throw new ActivityShapeError(`an array has more than ${max} elements`, 413);
    for (const v of value) if (v && typeof v === 'object') checkArrays(v, max);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (v && typeof v === 'object') checkArrays(v, max);
  }
}
