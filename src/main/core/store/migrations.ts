// Versioned schema. Append new migrations; never edit a released one.
// Every hot query has its index; test/main/core/store asserts the plans use them.

export const MIGRATIONS: readonly string[] = [
  /* 1: instance core */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE local_actor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    manually_approves INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );

  -- Remote actors, cached with a TTL (fetched_at).
  CREATE TABLE actors (
    uri TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    summary_html TEXT NOT NULL DEFAULT '',
    url TEXT,
    icon_url TEXT,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    outbox TEXT,
    followers_url TEXT,
    following_url TEXT,
    key_id TEXT,
    public_key_pem TEXT,
    followers_count INTEGER,
    following_count INTEGER,
    fetched_at INTEGER NOT NULL
  );
  CREATE INDEX actors_key_id ON actors(key_id);
  -- Handles are looked up case-insensitively (username = ? COLLATE NOCASE).
  CREATE INDEX actors_handle ON actors(host, username COLLATE NOCASE);
  -- A personal inbox that answered 410: whose was it?
  CREATE INDEX actors_inbox ON actors(inbox);

  CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    author_uri TEXT NOT NULL,
    local INTEGER NOT NULL,
    content_html TEXT NOT NULL,
    summary TEXT,
    visibility TEXT NOT NULL,
    in_reply_to TEXT,
    url TEXT,
    to_json TEXT NOT NULL DEFAULT '[]',
    cc_json TEXT NOT NULL DEFAULT '[]',
    mentions_json TEXT NOT NULL DEFAULT '[]',
    hashtags_json TEXT NOT NULL DEFAULT '[]',
    published_at INTEGER NOT NULL,
    updated_at INTEGER
  );
  CREATE INDEX notes_author ON notes(author_uri, published_at DESC);
  CREATE INDEX notes_reply ON notes(in_reply_to);

  -- Home timeline entries: a note, or a boost of one. Paged by (sort_at, id).
  CREATE TABLE timeline (
    id TEXT PRIMARY KEY,
    note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    boosted_by TEXT,
    announce_uri TEXT,
    sort_at INTEGER NOT NULL
  );
  CREATE INDEX timeline_time ON timeline(sort_at DESC, id DESC);
  CREATE INDEX timeline_note ON timeline(note_id);
  -- Boosts by an actor, removed when that actor is deleted.
  CREATE INDEX timeline_boosted_by ON timeline(boosted_by) WHERE boosted_by IS NOT NULL;
  CREATE UNIQUE INDEX timeline_announce ON timeline(announce_uri) WHERE announce_uri IS NOT NULL;

  CREATE TABLE followers (
    actor_uri TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    follow_uri TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX followers_state ON followers(state, created_at);

  CREATE TABLE following (
    actor_uri TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    follow_uri TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX following_follow_uri ON following(follow_uri);

  -- Likes and boosts, ours and others'.
  CREATE TABLE reactions (
    activity_uri TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_uri TEXT NOT NULL,
    note_uri TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX reactions_by_note ON reactions(note_uri, kind, actor_uri);

  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor_uri TEXT NOT NULL,
    note_uri TEXT,
    activity_uri TEXT,
    created_at INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX notifications_activity ON notifications(activity_uri, type);

  -- Outgoing activities, serialized once with their Digest.
  CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    object_uri TEXT,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX activities_object ON activities(object_uri, type);

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (activity_id, inbox)
  );
  CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
  CREATE INDEX deliveries_host ON deliveries(host, state);

  -- Incoming activities: persisted before the 202, processed once each.
  CREATE TABLE inbox_items (
    activity_uri TEXT PRIMARY KEY,
    actor_uri TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    error TEXT
  );
  CREATE INDEX inbox_unprocessed ON inbox_items(received_at) WHERE processed_at IS NULL;
  `,
  /* 2: delivery engine — host health, attempts, metric rollups */ `
  -- Remote hosts we deliver to: health for dead-server tracking (hostHealth.ts).
  CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    backoff_until INTEGER,
    suspended INTEGER NOT NULL DEFAULT 0,
    unreachable_since INTEGER,
    streak_started_at INTEGER,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error TEXT,
    last_error_class TEXT,
    last_status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0
  );

  -- Answers and failures per host and UTC day: the unreachable rule and the availability strip.
  CREATE TABLE host_days (
    host TEXT NOT NULL,
    day INTEGER NOT NULL,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (host, day)
  ) WITHOUT ROWID;

  -- Every delivery attempt: status or error class, latency. Pruned after 30 days.
  CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    host TEXT NOT NULL,
    at INTEGER NOT NULL,
    status INTEGER,
    error_class TEXT NOT NULL,
    error TEXT,
    latency_ms INTEGER NOT NULL,
    counted INTEGER NOT NULL DEFAULT 1,
    probe INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX delivery_attempts_host ON delivery_attempts(host, at);
  CREATE INDEX delivery_attempts_at ON delivery_attempts(at);

  -- Per-minute delivery figures for the dashboard. Pruned after 30 days.
  CREATE TABLE metric_rollups (
    minute INTEGER PRIMARY KEY,
    attempts INTEGER NOT NULL,
    delivered INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    retried INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    abandoned INTEGER NOT NULL,
    errors TEXT NOT NULL,
    latency TEXT NOT NULL,
    latency_sum_ms INTEGER NOT NULL,
    queued INTEGER,
    in_flight INTEGER,
    parked INTEGER
  );
  `,
  /* 3: the owner's safety tools — blocks, mutes, domain blocks (moderation.ts) */ `
  -- Accounts the user blocked: refused at the inbox, never delivered to, their content gone.
  CREATE TABLE account_blocks (
    actor_uri TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    -- The Block activity we sent (its Undo names it on unblock).
    activity_uri TEXT
  );
  -- Accounts the user muted: hidden from the timeline and notifications, nothing sent.
  CREATE TABLE account_mutes (
    actor_uri TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  );
  -- Domains the user blocked (with their subdomains).
  CREATE TABLE domain_blocks (
    domain TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  );
  `,
  /* federation breadth — signature specs per host, account moves, pinned posts (issue 13) */ `
  -- Which signature spec each remote host takes (hostSignatureSpecs.ts): the double-knock's memory.
  CREATE TABLE host_signatures (
    host TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    since INTEGER NOT NULL,
    last_double_knock_at INTEGER,
    last_double_knock TEXT,
    last_double_knock_from TEXT
  ) WITHOUT ROWID;

  -- The account's aliases (alsoKnownAs, a JSON array of actor URIs), where it moved (movedTo),
  -- and the two search switches Mastodon reads: listed in directories (on, as before), posts
  -- indexed for full-text search elsewhere (off, Mastodon's default: opt-in).
  ALTER TABLE local_actor ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE local_actor ADD COLUMN moved_to TEXT;
  ALTER TABLE local_actor ADD COLUMN moved_at INTEGER;
  ALTER TABLE local_actor ADD COLUMN discoverable INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE local_actor ADD COLUMN indexable INTEGER NOT NULL DEFAULT 0;

  -- A remote account that moved: where to (its movedTo, once checked).
  ALTER TABLE actors ADD COLUMN moved_to TEXT;

  -- The other account of a notification ("X moved to Y": Y).
  ALTER TABLE notifications ADD COLUMN target_uri TEXT;

  -- Accounts that blocked the user (an incoming Block): nothing more goes to their personal inbox.
  CREATE TABLE blocked_by (
    actor_uri TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX blocked_by_inbox ON blocked_by(inbox);

  -- Pinned posts: the featured collection, newest pin first.
  CREATE TABLE pinned_notes (
    note_id TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    pinned_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 5: media — uploads, the remote media cache, attachments and custom emoji */ `
  -- The user's uploads (files in DATA/media), attached to one note or waiting to be.
  CREATE TABLE media (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    media_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    blurhash TEXT,
    width INTEGER,
    height INTEGER,
    bytes INTEGER NOT NULL,
    note_id TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX media_note ON media(note_id);
  CREATE INDEX media_unattached ON media(created_at) WHERE note_id IS NULL;

  -- Remote media fetched by the instance (files in DATA/media-cache), least recently used evicted.
  CREATE TABLE media_cache (
    url TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL
  );
  CREATE INDEX media_cache_lru ON media_cache(used_at);

  ALTER TABLE notes ADD COLUMN attachments_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE notes ADD COLUMN emojis_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE notes ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE actors ADD COLUMN emojis_json TEXT NOT NULL DEFAULT '[]';
  `,
  /* people — profiles (header, fields, markers, counts), verified links, backfill, sent activities */ `
  -- What a remote profile shows beyond the basics: header image, PropertyValue fields
  -- (name + sanitized HTML value), bot/locked markers, the post
  -- count, and when the collection counts were last fetched (they have their own TTL).
  ALTER TABLE actors ADD COLUMN image_url TEXT;
  ALTER TABLE actors ADD COLUMN fields_json TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE actors ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE actors ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE actors ADD COLUMN posts_count INTEGER;
  ALTER TABLE actors ADD COLUMN counts_fetched_at INTEGER;
  ALTER TABLE actors ADD COLUMN published_at INTEGER;

  -- The owner's profile fields (name/value pairs, as typed).
  ALTER TABLE local_actor ADD COLUMN fields_json TEXT NOT NULL DEFAULT '[]';

  -- Links in profile fields that Outpost checked for a rel="me" link back to the profile.
  CREATE TABLE link_verifications (
    profile_uri TEXT NOT NULL,
    link TEXT NOT NULL,
    verified INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (profile_uri, link)
  ) WITHOUT ROWID;

  -- A follow whose account's recent posts were copied into Home (once per follow).
  ALTER TABLE following ADD COLUMN backfilled_at INTEGER;

  -- Sent activities, newest first (the delivery dashboard's list of what went out).
  CREATE INDEX activities_created ON activities(created_at DESC, id DESC);
  `,
  /* the delivery engine pages each host's waiting rows (self-contained: deliveries only, idempotent) */ `
  -- One host's waiting deliveries in the order they go out (rowLoader.ts pages them): only
  -- waiting rows are in it, so it stays as small as the queue however long the history grows.
  CREATE INDEX IF NOT EXISTS deliveries_waiting ON deliveries(host, next_attempt_at, id) WHERE state IN ('queued', 'parked');
  -- A host's skipped deliveries, queued again when it answers (small: skipped rows only).
  CREATE INDEX IF NOT EXISTS deliveries_skipped ON deliveries(host) WHERE state = 'skipped';
  -- (host, state) over every row ever queued: the two above serve its queries, and each
  -- index by host costs a write at a random place per delivery row (a fan-out to 500 hosts
  -- rewrote 500 of its pages on every compose, and again on every state change).
  DROP INDEX IF EXISTS deliveries_host;
  `,
  /* 8: conversations — edits, polls, bookmarks, hashtag timelines, full-text search */ `
  -- What the user typed for an own post (edits start from it), and a poll's options and counts (JSON).
  ALTER TABLE notes ADD COLUMN source TEXT;
  ALTER TABLE notes ADD COLUMN poll_json TEXT;
  -- A post URL pasted into search is often its page (url), not its id (uri).
  CREATE INDEX notes_url ON notes(url) WHERE url IS NOT NULL;

  -- Earlier versions of edited posts (ours and remote), oldest first.
  CREATE TABLE note_versions (
    id INTEGER PRIMARY KEY,
    note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    content_html TEXT NOT NULL,
    summary TEXT,
    poll_options_json TEXT,
    published_at INTEGER NOT NULL
  );
  CREATE INDEX note_versions_note ON note_versions(note_id, id);

  -- Poll votes, one row per chosen option: the user's on remote polls, others' on the user's.
  CREATE TABLE poll_votes (
    note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    actor_uri TEXT NOT NULL,
    choice INTEGER NOT NULL,
    activity_uri TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (note_id, actor_uri, choice)
  ) WITHOUT ROWID;

  -- The user's polls: when their results go out next (throttled after votes) or they close.
  CREATE TABLE poll_updates (
    note_id TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    due_at INTEGER NOT NULL
  );
  CREATE INDEX poll_updates_due ON poll_updates(due_at);

  -- Private bookmarks, newest first.
  CREATE TABLE bookmarks (
    note_id TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX bookmarks_time ON bookmarks(created_at DESC, note_id DESC);

  -- Hashtags of stored posts, kept in step with notes.hashtags_json by these triggers.
  CREATE TABLE note_tags (
    tag TEXT NOT NULL,
    note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (tag, published_at, note_id)
  ) WITHOUT ROWID;
  CREATE INDEX note_tags_note ON note_tags(note_id);
  INSERT OR IGNORE INTO note_tags (tag, note_id, published_at)
    SELECT j.value, n.id, n.published_at FROM notes n, json_each(n.hashtags_json) j WHERE typeof(j.value) = 'text';
  CREATE TRIGGER notes_tags_insert AFTER INSERT ON notes BEGIN
    INSERT OR IGNORE INTO note_tags (tag, note_id, published_at)
      SELECT value, NEW.id, NEW.published_at FROM json_each(NEW.hashtags_json) WHERE typeof(value) = 'text';
  END;
  CREATE TRIGGER notes_tags_update AFTER UPDATE OF hashtags_json ON notes BEGIN
    DELETE FROM note_tags WHERE note_id = NEW.id;
    INSERT OR IGNORE INTO note_tags (tag, note_id, published_at)
      SELECT value, NEW.id, NEW.published_at FROM json_each(NEW.hashtags_json) WHERE typeof(value) = 'text';
  END;

  -- Full-text search over stored posts. The note repository writes the text (HTML stripped);
  -- note_search gives each post a stable integer key for the FTS5 rowid. Deletes follow by trigger.
  CREATE TABLE note_search (id INTEGER PRIMARY KEY, note_id TEXT NOT NULL UNIQUE);
  CREATE VIRTUAL TABLE note_search_text USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
  CREATE TRIGGER notes_search_delete AFTER DELETE ON notes BEGIN
    DELETE FROM note_search_text WHERE rowid = (SELECT id FROM note_search WHERE note_id = OLD.id);
    DELETE FROM note_search WHERE note_id = OLD.id;
  END;
  `,
];
