import { describe, expect, it } from 'vitest';
import { addressNote, isPubliclyVisible, visibilityOf } from '../../../../src/main/core/social/addressing';
import { AS_PUBLIC } from '../../../../src/main/core/federation/activityStreams';
import { VISIBILITIES } from '../../../../src/shared/dto';

const FOLLOWERS = 'https://me.example/users/me/followers';
const BOB = 'https://b.example/users/bob';
const CAROL = 'https://c.example/users/carol';

describe('addressNote', () => {
  it('public: to Public, cc followers and mentioned', () => {
    expect(addressNote('public', FOLLOWERS, [BOB])).toEqual({ to: [AS_PUBLIC], cc: [FOLLOWERS, BOB] });
  });

  it('unlisted: to followers, cc Public and mentioned', () => {
    expect(addressNote('unlisted', FOLLOWERS, [BOB])).toEqual({ to: [FOLLOWERS], cc: [AS_PUBLIC, BOB] });
  });

  it('followers-only: to followers, cc mentioned, never Public', () => {
    const a = addressNote('followers', FOLLOWERS, [BOB]);
    expect(a).toEqual({ to: [FOLLOWERS], cc: [BOB] });
    expect([...a.to, ...a.cc]).not.toContain(AS_PUBLIC);
  });

  it('direct: only the mentioned actors, never Public nor followers', () => {
    const a = addressNote('direct', FOLLOWERS, [BOB, CAROL]);
    expect(a).toEqual({ to: [BOB, CAROL], cc: [] });
  });

  it('lists each mentioned actor once', () => {
    expect(addressNote('direct', FOLLOWERS, [BOB, BOB, CAROL, BOB]).to).toEqual([BOB, CAROL]);
    expect(addressNote('public', FOLLOWERS, [BOB, BOB]).cc).toEqual([FOLLOWERS, BOB]);
  });

  it('direct with nobody mentioned addresses nobody', () => {
    expect(addressNote('direct', FOLLOWERS, [])).toEqual({ to: [], cc: [] });
  });
});

describe('visibilityOf', () => {
  it('round-trips every visibility through addressNote', () => {
    for (const v of VISIBILITIES) {
      for (const mentioned of [[], [BOB]]) {
        if (v === 'direct' && mentioned.length === 0) continue;
        const { to, cc } = addressNote(v, FOLLOWERS, mentioned);
        expect(visibilityOf(to, cc, FOLLOWERS), `${v} ${mentioned.length}`).toBe(v);
      }
    }
  });

  it('reads the compact as:Public and bare Public forms', () => {
    for (const pub of [AS_PUBLIC, 'as:Public', 'Public']) {
      expect(visibilityOf([pub], [FOLLOWERS], FOLLOWERS)).toBe('public');
      expect(visibilityOf([FOLLOWERS], [pub], FOLLOWERS)).toBe('unlisted');
    }
  });

  it('public wins over unlisted when Public is in both', () => {
    expect(visibilityOf([AS_PUBLIC], [AS_PUBLIC], null)).toBe('public');
  });

  it('recognises the author’s followers collection, wherever it lives', () => {
    const odd = 'https://b.example/collections/abc123';
    expect(visibilityOf([odd], [], odd)).toBe('followers');
    expect(visibilityOf([BOB], [odd], odd)).toBe('followers');
    // Without it, the same addressing is a direct message.
    expect(visibilityOf([odd], [], null)).toBe('direct');
  });

  it('falls back to the conventional /followers suffix when the collection is unknown', () => {
    expect(visibilityOf(['https://b.example/users/bob/followers'], [], null)).toBe('followers');
  });

  it('is direct when addressed to actors only', () => {
    expect(visibilityOf([BOB], [CAROL], 'https://b.example/users/x/followers')).toBe('direct');
    expect(visibilityOf([], [], null)).toBe('direct');
  });
});

describe('isPubliclyVisible', () => {
  it('is true for public and unlisted only', () => {
    expect(VISIBILITIES.filter(isPubliclyVisible)).toEqual(['public', 'unlisted']);
  });
});
