import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../../../src/main/core/store/database';
import { MIGRATIONS } from '../../../../src/main/core/store/migrations';

// The SQL below is copied verbatim from the repositories that run it (file named above
// each), so a change to either the query or the schema that loses the index fails here.
// Plans are taken on an un-ANALYZEd database, as Outpost never runs ANALYZE.

function plan(db: Db, sql: string, params: unknown[] | Record<string, unknown> = []): string[] {
  const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (Array.isArray(params) ? stmt.all(...params) : stmt.all(params)) as { detail: string }[];
  return rows.map((r) => r.detail);
}

/** The plan reads through `index` and never walks a table row by row. */
function expectUsesIndex(details: string[], index: string): void {
  const text = details.join('\n');
  expect(text, text).toMatch(new RegExp(`\\b(SEARCH|SCAN) \\w+ USING (COVERING )?INDEX ${index}\\b`));
  for (const d of details) expect(d, `full scan in:\n${text}`).not.toMatch(/^SCAN \w+$/);
}

/** The index also delivers the ORDER BY: no sort of the whole result. */
function expectNoSort(details: string[]): void {
  const text = details.join('\n');
  expect(text, text).not.toMatch(/USE TEMP B-TREE FOR (ORDER BY|RIGHT PART OF ORDER BY|LAST TERM OF ORDER BY)/);
}

describe('hot queries use their indexes', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
  });
  afterAll(() => db.close());

  it("a timeline page's notes, counts and replies in one query each (noteRepository byIds, engagement, repliesOf) → their indexes", () => {
    const list = JSON.stringify(['https://a.example/n/1', 'https://a.example/n/2']);
    expectUsesIndex(plan(db, `SELECT * FROM notes WHERE id IN (SELECT value FROM json_each(?))`, [list]), 'sqlite_autoindex_notes_1');
    const engagement = plan(db, `SELECT note_uri AS uri,
          sum(kind = 'like') AS likes, sum(kind = 'announce') AS boosts, max(kind = 'like' AND actor_uri = @me) AS liked,
          max(kind = 'announce' AND actor_uri = @me) AS boosted
          FROM reactions WHERE note_uri IN (SELECT value FROM json_each(@list)) GROUP BY note_uri`, { me: 'https://me.example/users/me', list });
    expectUsesIndex(engagement, 'reactions_by_note');
    expect(engagement.join('\n')).toMatch(/reactions_by_note \(note_uri=\?\)/);
    expect(engagement.join('\n')).not.toMatch(/TEMP B-TREE/);
    const replies = plan(db, `SELECT in_reply_to AS uri, count(*) AS n FROM notes
          WHERE in_reply_to IN (SELECT value FROM json_each(?)) GROUP BY in_reply_to`, [list]);
    expectUsesIndex(replies, 'notes_reply');
    expect(replies.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('home timeline, first page (noteRepository timelineFirst) → timeline_time, no sort', () => {
    const p = plan(db, `SELECT * FROM timeline ORDER BY sort_at DESC, id DESC LIMIT ?`, [20]);
    expectUsesIndex(p, 'timeline_time');
    expectNoSort(p);
  });

  it('home timeline, cursor page (noteRepository timelineBefore) → timeline_time range, no sort', () => {
    const p = plan(db, `SELECT * FROM timeline
          WHERE (sort_at, id) < (?, ?) ORDER BY sort_at DESC, id DESC LIMIT ?`, [1_700_000_000_000, 'x', 20]);
    expectUsesIndex(p, 'timeline_time');
    expect(p.join('\n')).toMatch(/SEARCH timeline USING INDEX timeline_time \(\(sort_at,id\)<\(\?,\?\)\)/);
    expectNoSort(p);
  });

  it('notes by author, outbox page (noteRepository outboxPage) → notes_author, no sort', () => {
    const p = plan(db, `SELECT * FROM notes WHERE author_uri = ?
          AND visibility IN ('public', 'unlisted') AND published_at < ? ORDER BY published_at DESC LIMIT ?`,
    ['https://a.example/users/me', Date.now(), 20]);
    expectUsesIndex(p, 'notes_author');
    expect(p.join('\n')).toMatch(/author_uri=\? AND published_at<\?/);
    expectNoSort(p);
  });

  it('public note count by author (noteRepository countPublic) → notes_author', () => {
    expectUsesIndex(plan(db, `SELECT count(*) AS n FROM notes WHERE author_uri = ?
          AND visibility IN ('public', 'unlisted')`, ['https://a.example/users/me']), 'notes_author');
  });

  it('replies to a note (noteRepository replies) → notes_reply', () => {
    expectUsesIndex(plan(db, 'SELECT count(*) AS n FROM notes WHERE in_reply_to = ?', ['https://a.example/notes/1']), 'notes_reply');
  });

  it('followers by state (followRepository FollowTable page/byState/count) → followers_state, no sort', () => {
    const page = plan(db, `SELECT * FROM followers WHERE state = ?
          ORDER BY created_at DESC LIMIT ? OFFSET ?`, ['accepted', 40, 0]);
    expectUsesIndex(page, 'followers_state');
    expectNoSort(page);
    const byState = plan(db, `SELECT * FROM followers WHERE state = ? ORDER BY created_at DESC`, ['pending']);
    expectUsesIndex(byState, 'followers_state');
    expectNoSort(byState);
    expectUsesIndex(plan(db, `SELECT count(*) AS n FROM followers WHERE state = ?`, ['accepted']), 'followers_state');
  });

  it('follower inboxes join (followRepository followerInboxes) → followers_state, then actors by primary key', () => {
    const p = plan(db, `SELECT DISTINCT coalesce(a.shared_inbox, a.inbox) AS inbox
        FROM followers f JOIN actors a ON a.uri = f.actor_uri WHERE f.state = 'accepted'`);
    expectUsesIndex(p, 'followers_state');
    // actors.uri is a TEXT PRIMARY KEY: its automatic unique index.
    expect(p.join('\n')).toMatch(/SEARCH a USING (COVERING )?INDEX sqlite_autoindex_actors_1 \(uri=\?\)|SEARCH a USING PRIMARY KEY/);
  });

  it('deliveries due (deliverySender due) → deliveries_due, no sort', () => {
    const p = plan(db, `SELECT d.id, d.activity_id, d.inbox, d.host, d.attempts, a.body, a.digest
          FROM deliveries d JOIN activities a ON a.id = d.activity_id
          WHERE d.state = 'queued' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?`, [Date.now(), 64]);
    expectUsesIndex(p, 'deliveries_due');
    expect(p.join('\n')).toMatch(/deliveries_due \(state=\? AND next_attempt_at<\?\)/);
    expectNoSort(p);
  });

  it('next due delivery (deliverySender nextDue) → deliveries_due', () => {
    expectUsesIndex(plan(db, `SELECT min(next_attempt_at) AS at FROM deliveries WHERE state = 'queued'`), 'deliveries_due');
  });

  it("a host's waiting deliveries parked, released or cancelled (deliveryRows parkHost, releaseHost; outbox cancelHost) → deliveries_waiting", () => {
    for (const sql of [
      `UPDATE deliveries SET state = 'parked', updated_at = ? WHERE host = ? AND state IN ('queued', 'parked') AND state = 'queued'`,
      `UPDATE deliveries SET state = 'queued', next_attempt_at = min(next_attempt_at, ?), updated_at = ? WHERE host = ? AND state IN ('queued', 'parked')`,
      `UPDATE deliveries SET state = 'cancelled', last_error = ?, updated_at = ? WHERE host = ? AND state IN ('queued', 'parked')`,
    ]) {
      const p = plan(db, sql, Array.from({ length: (sql.match(/\?/g) ?? []).length }, (_, i) => (i === (sql.match(/\?/g) ?? []).length - 1 ? 'b.example' : 1)));
      expectUsesIndex(p, 'deliveries_waiting');
      expect(p.join('\n')).toMatch(/deliveries_waiting \(host=\?\)/);
    }
  });

  it("a host's skipped deliveries queued again (deliveryRows unskipHost) → deliveries_skipped", () => {
    const p = plan(db, `UPDATE deliveries SET state = 'queued', next_attempt_at = ?, updated_at = ?
          WHERE host = ? AND state = 'skipped'`, [1, 1, 'b.example']);
    expectUsesIndex(p, 'deliveries_skipped');
  });

  it("a host's waiting counts (hostViews waitingOf) → deliveries_waiting", () => {
    expectUsesIndex(plan(db, `SELECT state, count(*) AS n FROM deliveries INDEXED BY deliveries_waiting
          WHERE host = ? AND state IN ('queued', 'parked') GROUP BY state`, ['b.example']), 'deliveries_waiting');
  });

  it('delivery rows written since the last load (deliveryRows loadNew) → a rowid range, no sort', () => {
    const p = plan(db, `SELECT id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state
          FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`, [1000, 500]);
    expect(p.join('\n')).toMatch(/^SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
    expectNoSort(p);
    // What it replaced: filtering on state in SQL plans it on the state index and sorts every waiting row.
    const old = plan(db, `SELECT id FROM deliveries WHERE id > ? AND state IN ('queued', 'parked') ORDER BY id LIMIT ?`, [1000, 500]);
    expect(() => expectNoSort(old)).toThrow();
  });

  it('rows written and not loaded yet (deliveryRows newQueued) → a rowid range', () => {
    const p = plan(db, `SELECT count(*) AS n FROM deliveries WHERE id > ? AND +state = 'queued'`, [1000]);
    expect(p.join('\n')).toMatch(/^SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
  });

  it("a host's next page of waiting deliveries (deliveryRows page) → deliveries_waiting range, no sort", () => {
    const p = plan(db, `SELECT id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state FROM deliveries
          WHERE host = ? AND state IN ('queued', 'parked') AND (next_attempt_at, id) > (?, ?)
          ORDER BY next_attempt_at, id LIMIT ?`, ['b.example', 1_700_000_000_000, 42, 16]);
    expectUsesIndex(p, 'deliveries_waiting');
    expect(p.join('\n')).toMatch(/deliveries_waiting \(host=\? AND next_attempt_at>\?\)/);
    expectNoSort(p);
  });

  it("all of a host's waiting deliveries, after a failed probe (deliveryRows waitingOfHost) → deliveries_waiting, no sort", () => {
    const p = plan(db, `SELECT id, activity_id, attempts, created_at
          FROM deliveries WHERE host = ? AND state IN ('queued', 'parked') ORDER BY next_attempt_at, id`, ['b.example']);
    expectUsesIndex(p, 'deliveries_waiting');
    expectNoSort(p);
  });

  it('hosts with cancelled rows of an activity (deliveryRows cancelledHosts) → the activity’s rows only', () => {
    const p = plan(db, `SELECT DISTINCT host FROM deliveries WHERE activity_id = ? AND +state = 'cancelled'`, ['a1']);
    expectUsesIndex(p, 'sqlite_autoindex_deliveries_1');
    expect(p.join('\n')).toMatch(/\(activity_id=\?\)/);
  });

  it('hashtag timeline page (search tagFirst/tagBefore) → note_tags primary key range, no sort', () => {
    const first = plan(db, `SELECT n.* FROM note_tags t JOIN notes n ON n.id = t.note_id WHERE t.tag = ?
          ORDER BY t.published_at DESC, t.note_id DESC LIMIT ?`, ['birds', 21]);
    expect(first.join('\n')).toMatch(/SEARCH t USING (COVERING )?(PRIMARY KEY|INDEX sqlite_autoindex_note_tags_1) \(tag=\?\)/);
    expectNoSort(first);
    const before = plan(db, `SELECT n.* FROM note_tags t JOIN notes n ON n.id = t.note_id WHERE t.tag = ?
          AND (t.published_at, t.note_id) < (?, ?) ORDER BY t.published_at DESC, t.note_id DESC LIMIT ?`, ['birds', 1, 'x', 21]);
    expect(before.join('\n')).toMatch(/\(tag=\? AND \(published_at,note_id\)<\(\?,\?\)\)/);
    expectNoSort(before);
  });

  it('bookmarks page (bookmarks first/before) → bookmarks_time, no sort', () => {
    const p = plan(db, `SELECT n.*, b.created_at AS bookmarked_at FROM bookmarks b JOIN notes n ON n.id = b.note_id
          WHERE (b.created_at, b.note_id) < (?, ?) ORDER BY b.created_at DESC, b.note_id DESC LIMIT ?`, [1, 'x', 21]);
    expectUsesIndex(p, 'bookmarks_time');
    expectNoSort(p);
  });

  it('a post by its page URL (objectResolver byUrl) → notes_url; due poll updates → poll_updates_due', () => {
    expectUsesIndex(plan(db, 'SELECT * FROM notes WHERE url = ? LIMIT 1', ['https://a.example/@bob/1']), 'notes_url');
    expectUsesIndex(plan(db, 'SELECT note_id FROM poll_updates WHERE due_at <= ? ORDER BY due_at', [Date.now()]), 'poll_updates_due');
  });

  it('boost dedup: a note\'s newest home entry (noteRepository newerEntries) → timeline_note, then timeline_time', () => {
    const p = plan(db, `SELECT count(*) AS n FROM (SELECT 1 FROM timeline
          WHERE sort_at > (SELECT max(sort_at) FROM timeline WHERE note_id = ?) LIMIT ?)`, ['x', 800]);
    expectUsesIndex(p, 'timeline_note');
    expect(p.join('\n')).toMatch(/timeline_time \(sort_at>\?\)/);
  });

  it('actor by key id (remoteActors byKey) → actors_key_id', () => {
    expectUsesIndex(plan(db, 'SELECT * FROM actors WHERE key_id = ?', ['https://b.example/users/x#main-key']), 'actors_key_id');
  });

  it('actor by handle, case-insensitive (remoteActors byHandle) → actors_handle on both columns', () => {
    const p = plan(db, 'SELECT * FROM actors WHERE host = ? AND username = ? COLLATE NOCASE', ['b.example', 'Alice']);
    expectUsesIndex(p, 'actors_handle');
    expect(p.join('\n')).toMatch(/actors_handle \(host=\? AND username=\?\)/);
  });

  it('actors by inbox, after a 410 (instance onGone) → actors_inbox', () => {
    expectUsesIndex(plan(db, 'SELECT uri FROM actors WHERE inbox = ?', ['https://b.example/users/x/inbox']), 'actors_inbox');
  });

  it('removing a deleted actor’s boosts and notes from the timeline (noteRepository removeTimelineBy) → no timeline scan', () => {
    const p = plan(db, `DELETE FROM timeline WHERE boosted_by = ?1
          OR note_id IN (SELECT id FROM notes WHERE author_uri = ?1)`, { 1: 'https://b.example/users/x' });
    expectUsesIndex(p, 'timeline_boosted_by');
    expectUsesIndex(p, 'timeline_note');
  });

  it('unprocessed inbox items (inboxProcessor next) → inbox_unprocessed, no sort', () => {
    const p = plan(db, `SELECT activity_uri, actor_uri, body FROM inbox_items
          WHERE processed_at IS NULL ORDER BY received_at LIMIT 50`);
    expectUsesIndex(p, 'inbox_unprocessed');
    expectNoSort(p);
  });

  it('the helpers do catch a query that scans its table', () => {
    const p = plan(db, 'SELECT * FROM notes WHERE content_html = ?', ['x']);
    expect(() => expectUsesIndex(p, 'notes_author')).toThrow();
    const sorted = plan(db, 'SELECT * FROM notes ORDER BY summary');
    expect(() => expectNoSort(sorted)).toThrow();
  });

  it('sent activities about a note (sentActivities byObject) → activities_object', () => {
    const p = plan(db, `SELECT id, uri, type, object_uri, created_at FROM activities
          WHERE object_uri = ? ORDER BY created_at DESC LIMIT ?`, ['https://a.example/notes/1', 8]);
    expectUsesIndex(p, 'activities_object');
  });

  it('newest sent activities, first and cursor pages (sentActivities newest/before) → activities_created, no sort', () => {
    const first = plan(db, `SELECT id, uri, type, object_uri, created_at FROM activities
          ORDER BY created_at DESC, id DESC LIMIT ?`, [21]);
    expectUsesIndex(first, 'activities_created');
    expectNoSort(first);
    const before = plan(db, `SELECT id, uri, type, object_uri, created_at FROM activities
          WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`, [1_700_000_000_000, 'x', 21]);
    expectUsesIndex(before, 'activities_created');
    expectNoSort(before);
  });

  it('one activity’s delivery counts (deliveryRows progress, the delivery bars) → the (activity_id, inbox) index', () => {
    const p = plan(db, 'SELECT state, count(*) AS n FROM deliveries WHERE activity_id = ? GROUP BY state', ['x']);
    expectUsesIndex(p, 'sqlite_autoindex_deliveries_1');
  });

  it('whether Home has an account’s posts (profiles inHome, the backfill) → notes_author then timeline_note', () => {
    const p = plan(db, `SELECT 1 AS x FROM notes n JOIN timeline t ON t.note_id = n.id
          WHERE n.author_uri = ? LIMIT 1`, ['https://b.example/users/bob']);
    expectUsesIndex(p, 'notes_author');
    expectUsesIndex(p, 'timeline_note');
  });
});

describe('migrations', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-db-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a fresh database is at the latest schema version', () => {
    const db = openDatabase(':memory:');
    try {
      expect(MIGRATIONS.length).toBeGreaterThan(0);
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('creates the data directory and re-opening an up-to-date file database changes nothing', () => {
    const file = join(dir, 'nested', 'outpost.db');
    const first = openDatabase(file);
    expect(schemaVersion(first)).toBe(MIGRATIONS.length);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
    first.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('probe', 'kept');
    const schema = first.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    first.close();

    // Re-running migration 1 would fail on CREATE TABLE; a no-op keeps data and schema as they were.
    const again = openDatabase(file);
    try {
      expect(schemaVersion(again)).toBe(MIGRATIONS.length);
      expect(again.prepare('SELECT value FROM meta WHERE key = ?').get('probe')).toEqual({ value: 'kept' });
      expect(again.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all()).toEqual(schema);
    } finally {
      again.close();
    }
  });

  it('refuses a database written by a newer Outpost, with a clear error', () => {
    const file = join(dir, 'newer.db');
    openDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();

    expect(() => openDatabase(file)).toThrow(
      new RegExp(`schema v${MIGRATIONS.length + 1} is newer than this Outpost \\(v${MIGRATIONS.length}\\); upgrade Outpost`),
    );
    // Nothing was changed: the version is still the newer one.
    const check = new Database(file, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    } finally {
      check.close();
    }
  });
});
