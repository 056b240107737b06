// The block, mute and domain lists are read from memory: every change made through the
// list is seen by the very next lookup, and a change rolled back with its transaction is
// never seen at all.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { BlockList } from '../../../../src/main/core/social/blockList';

const BOB = 'https://bob.example/users/bob';
const CAROL = 'https://social.carol.example/users/carol';

describe('BlockList', () => {
  it('sees each block, unblock, mute and unmute at the next lookup', () => {
    const list = new BlockList(openDatabase(':memory:'));
    expect([list.isBlocked(BOB), list.isMuted(BOB)]).toEqual([false, false]);
    list.block(BOB, 1, null);
    expect(list.isBlocked(BOB)).toBe(true);
    expect(list.isBlocked(CAROL)).toBe(false);
    expect(list.unblock(BOB)).toEqual({ activityUri: null });
    expect(list.isBlocked(BOB)).toBe(false);
    list.mute(BOB, 2);
    expect(list.isMuted(BOB)).toBe(true);
    list.unmute(BOB);
    expect(list.isMuted(BOB)).toBe(false);
  });

  it('sees a domain block and its removal at the next lookup, for the domain and its subdomains', () => {
    const list = new BlockList(openDatabase(':memory:'));
    expect(list.isBlocked(CAROL)).toBe(false);
    list.blockDomain('carol.example', 1);
    expect([list.isBlocked(CAROL), list.isDomainBlocked('carol.example'), list.isBlockedAuthorOf(`${CAROL}/statuses/1`)]).toEqual([true, true, true]);
    expect(list.isDomainBlocked('example')).toBe(false);
    list.unblockDomain('Carol.Example');
    expect([list.isBlocked(CAROL), list.isDomainBlocked('social.carol.example:443')]).toEqual([false, false]);
  });

  it('a change in a transaction is seen inside it, and forgotten when the transaction rolls back', () => {
    const db = openDatabase(':memory:');
    const list = new BlockList(db);
    expect(list.isBlocked(BOB)).toBe(false);
    expect(() => db.transaction(() => {
      list.block(BOB, 1, null);
      list.blockDomain('carol.example', 1);
      expect([list.isBlocked(BOB), list.isBlocked(CAROL)]).toEqual([true, true]);
      throw new Error('rolled back');
    })()).toThrow('rolled back');
    expect([list.isBlocked(BOB), list.isBlocked(CAROL)]).toEqual([false, false]);
    db.transaction(() => list.block(BOB, 1, null))();
    expect(list.isBlocked(BOB)).toBe(true);
  });

  it('a second list over the same database reads what the first one stored', () => {
    const db = openDatabase(':memory:');
    new BlockList(db).blockDomain('carol.example', 1);
    expect(new BlockList(db).isBlocked(CAROL)).toBe(true);
  });
});
