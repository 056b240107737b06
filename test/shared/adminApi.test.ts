import { describe, expect, it } from 'vitest';
import {
  ADMIN_ERROR_STATUS, ADMIN_METHODS, AdminError, NOTE_MAX_CHARS, adminParamSpecs, isAdminMethod, validateParams,
  type AdminMethod,
} from '../../src/shared/adminApi';

/** Runs validateParams expecting a bad_params AdminError; returns its message. */
function rejects(method: AdminMethod, raw: unknown): string {
  try {
    validateParams(method, raw);
  } catch (err) {
    expect(err).toBeInstanceOf(AdminError);
    expect((err as AdminError).code).toBe('bad_params');
    expect(ADMIN_ERROR_STATUS[(err as AdminError).code]).toBe(400);
    return (err as AdminError).message;
  }
  throw new Error(`${method} accepted ${JSON.stringify(raw)}`);
}

const paramless = ADMIN_METHODS.filter((m) => Object.keys(adminParamSpecs[m]).length === 0);

describe('validateParams: shape', () => {
  it('turns null/undefined params into {} for param-less methods', () => {
    expect(paramless).toEqual(expect.arrayContaining(['status', 'followers', 'following', 'queueStats', 'settings']));
    for (const m of paramless) {
      expect(validateParams(m, undefined)).toEqual({});
      expect(validateParams(m, null)).toEqual({});
      expect(validateParams(m, {})).toEqual({});
    }
  });

  it('rejects arrays and non-objects', () => {
    for (const raw of [[], [1], 'x', 42, true]) {
      expect(rejects('status', raw)).toBe('status: params must be a JSON object');
      expect(rejects('lookup', raw)).toMatch(/^lookup: params must be a JSON object/);
    }
  });

  it('rejects unknown fields, naming them', () => {
    expect(rejects('status', { verbose: true })).toBe('status: unknown field "verbose"');
    expect(rejects('compose', { content: 'hi', visiblity: 'public' })).toContain('"visiblity"');
  });

  it('rejects field names inherited from Object.prototype as unknown', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(rejects('status', { [key]: 1 })).toBe(`status: unknown field "${key}"`);
    }
    expect(rejects('timeline', JSON.parse('{"__proto__": {"limit": 5}}'))).toBe('timeline: unknown field "__proto__"');
  });

  it('returns a clean copy with only the declared fields that were given', () => {
    const input = { content: 'hi', visibility: 'direct' as const };
    const out = validateParams('compose', input);
    expect(out).toEqual({ content: 'hi', visibility: 'direct' });
    expect(out).not.toBe(input);
    expect(Object.keys(validateParams('compose', { content: 'hi', summary: null }))).toEqual(['content']);
  });
});

describe('validateParams: required and types', () => {
  it('requires non-optional fields, naming them', () => {
    expect(rejects('lookup', {})).toBe('lookup: field "handle" is required');
    expect(rejects('lookup', { handle: null })).toBe('lookup: field "handle" is required');
    expect(rejects('compose', { visibility: 'public' })).toBe('compose: field "content" is required');
    expect(rejects('deliveryProgress', undefined)).toBe('deliveryProgress: field "activityId" is required');
  });

  it('checks strings', () => {
    expect(rejects('lookup', { handle: 42 })).toBe('lookup: field "handle" must be a string');
    expect(rejects('compose', { content: ['a'] })).toBe('compose: field "content" must be a string');
  });

  it('checks integers and their bounds', () => {
    expect(validateParams('timeline', { limit: 1 })).toEqual({ limit: 1 });
    expect(validateParams('timeline', { limit: 200 })).toEqual({ limit: 200 });
    expect(rejects('timeline', { limit: 0 })).toBe('timeline: field "limit" must be between 1 and 200');
    expect(rejects('timeline', { limit: 201 })).toBe('timeline: field "limit" must be between 1 and 200');
    expect(rejects('timeline', { limit: -5 })).toContain('"limit"');
    for (const bad of [1.5, '20', NaN, Infinity, true]) {
      expect(rejects('notifications', { limit: bad })).toBe('notifications: field "limit" must be an integer');
    }
  });

  it('checks booleans', () => {
    expect(validateParams('updateSettings', { manuallyApprovesFollowers: false })).toEqual({ manuallyApprovesFollowers: false });
    expect(rejects('updateSettings', { manuallyApprovesFollowers: 'yes' })).toBe(
      'updateSettings: field "manuallyApprovesFollowers" must be a boolean',
    );
    expect(rejects('updateSettings', { manuallyApprovesFollowers: 1 })).toContain('"manuallyApprovesFollowers"');
  });

  it('checks oneOf', () => {
    for (const v of ['public', 'unlisted', 'followers', 'direct']) {
      expect(validateParams('compose', { content: 'x', visibility: v })).toEqual({ content: 'x', visibility: v });
    }
    expect(rejects('compose', { content: 'x', visibility: 'private' })).toBe(
      'compose: field "visibility" must be one of public, unlisted, followers, direct',
    );
    expect(rejects('compose', { content: 'x', visibility: 'PUBLIC' })).toContain('"visibility"');
  });
});

describe('validateParams: lengths, counted in characters', () => {
  it('accepts a note of exactly 500 characters and rejects 501', () => {
    expect(NOTE_MAX_CHARS).toBe(500);
    expect(validateParams('compose', { content: 'a'.repeat(500) }).content).toHaveLength(500);
    expect(rejects('compose', { content: 'a'.repeat(501) })).toBe('compose: field "content" is longer than 500 characters');
  });

  it('counts an emoji as one character, not its UTF-16 units', () => {
    for (const emoji of ['👍', '😀', '👍🏽', '👩‍💻', '👨‍👩‍👧‍👦', '🇫🇷', 'é' /* e + combining accent */]) {
      expect(validateParams('compose', { content: emoji.repeat(500) }).content, emoji).toBe(emoji.repeat(500));
      expect(rejects('compose', { content: emoji.repeat(501) }), emoji).toContain('longer than 500 characters');
    }
  });

  it('costs time bounded by the limit, not by the input', () => {
    let started = performance.now();
    expect(rejects('compose', { content: '👩‍💻'.repeat(2_000_000) })).toContain('longer than 500 characters');
    expect(rejects('compose', { content: 'a'.repeat(10_000_000) })).toContain('longer than 500 characters');
    expect(performance.now() - started).toBeLessThan(1000);
    // Long in UTF-16 units but few characters (combining marks): still answered quickly.
    started = performance.now();
    expect(validateParams('compose', { content: 'a\u0301\u0301\u0301'.repeat(500) }).content).toHaveLength(2000);
    expect(rejects('compose', { content: 'a\u0301\u0301\u0301'.repeat(501) })).toContain('longer than 500 characters');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects empty or blank required text', () => {
    expect(rejects('markNotificationsRead', { upTo: '' })).toBe('markNotificationsRead: field "upTo" must not be empty');
    expect(rejects('deleteNote', { noteId: '  \n\t ' })).toBe('deleteNote: field "noteId" must not be empty');
    // A post's text may be empty at the door: one with media needs none (the instance checks).
    expect(validateParams('compose', { content: '', mediaIds: ['m1'] })).toEqual({ content: '', mediaIds: ['m1'] });
    expect(rejects('like', { noteId: '' })).toBe('like: field "noteId" must not be empty');
  });

  it('enforces a minimum length above one with a message that says so', () => {
    expect(rejects('lookup', { handle: 'ab' })).toBe('lookup: field "handle" must be at least 3 characters');
    expect(validateParams('lookup', { handle: 'a@b' })).toEqual({ handle: 'a@b' });
    expect(rejects('approveFollower', { actor: 'http:/' })).toBe('approveFollower: field "actor" must be at least 8 characters');
  });

  it('enforces the other maxLengths', () => {
    expect(validateParams('updateSettings', { displayName: 'x'.repeat(100) })).toEqual({ displayName: 'x'.repeat(100) });
    expect(rejects('updateSettings', { displayName: 'x'.repeat(101) })).toBe('updateSettings: field "displayName" is longer than 100 characters');
    expect(rejects('lookup', { handle: `a@${'b'.repeat(511)}` })).toContain('longer than 512 characters');
    expect(rejects('timeline', { before: 'c'.repeat(201) })).toContain('"before"');
  });
});

describe('method list', () => {
  it('knows its methods and nothing from Object.prototype', () => {
    expect(isAdminMethod('compose')).toBe(true);
    expect(isAdminMethod('nope')).toBe(false);
    expect(isAdminMethod('toString')).toBe(false);
    expect(isAdminMethod('__proto__')).toBe(false);
  });
});

describe('validateParams: nested objects and integer lists (compose.poll, vote.choices)', () => {
  it('takes a poll within Mastodon\'s limits and names the nested field it refuses', () => {
    const poll = { options: ['Yes', 'No'], expiresInS: 300 };
    expect(validateParams('compose', { content: 'q?', poll })).toEqual({ content: 'q?', poll });
    expect(validateParams('compose', { content: 'q?', poll: { ...poll, multiple: true } }).poll).toEqual({ ...poll, multiple: true });
    expect(rejects('compose', { content: 'q?', poll: { options: ['only one'], expiresInS: 300 } })).toBe('compose: field "poll.options" needs at least 2 entries');
    expect(rejects('compose', { content: 'q?', poll: { options: ['a', 'b', 'c', 'd', 'e'], expiresInS: 300 } })).toBe('compose: field "poll.options" has more than 4 entries');
    expect(rejects('compose', { content: 'q?', poll: { options: ['a', 'x'.repeat(51)], expiresInS: 300 } })).toBe('compose: field "poll.options" has an entry longer than 50 characters');
    expect(validateParams('compose', { content: 'q?', poll: { options: ['a', '👩‍💻'.repeat(50)], expiresInS: 300 } }).poll).toBeDefined();
    expect(rejects('compose', { content: 'q?', poll: { options: ['a', ' '], expiresInS: 300 } })).toBe('compose: field "poll.options" must be a list of non-empty strings');
    expect(rejects('compose', { content: 'q?', poll: { options: ['a', 'b'], expiresInS: 60 } })).toBe('compose: field "poll.expiresInS" must be between 300 and 604800');
    expect(rejects('compose', { content: 'q?', poll: { options: ['a', 'b'] } })).toBe('compose: field "poll.expiresInS" is required');
    expect(rejects('compose', { content: 'q?', poll: { ...poll, hidden: true } })).toBe('compose: unknown field "poll.hidden"');
    expect(rejects('compose', { content: 'q?', poll: ['Yes', 'No'] })).toBe('compose: field "poll" must be an object');
    expect(rejects('compose', { content: 'q?', poll: JSON.parse('{"__proto__": {}, "options": ["a","b"], "expiresInS": 300}') })).toBe('compose: unknown field "poll.__proto__"');
  });

  it('takes a list of choices and refuses anything else', () => {
    expect(validateParams('vote', { noteId: 'n', choices: [0, 2] })).toEqual({ noteId: 'n', choices: [0, 2] });
    expect(rejects('vote', { noteId: 'n', choices: [] })).toBe('vote: field "choices" needs at least 1 entries');
    expect(rejects('vote', { noteId: 'n', choices: [1.5] })).toBe('vote: field "choices" must be a list of integers');
    expect(rejects('vote', { noteId: 'n', choices: ['0'] })).toBe('vote: field "choices" must be a list of integers');
    expect(rejects('vote', { noteId: 'n', choices: [-1] })).toBe('vote: field "choices" has an entry outside 0 … 63');
    expect(rejects('vote', { noteId: 'n', choices: 0 })).toBe('vote: field "choices" must be a list of integers');
  });
});
