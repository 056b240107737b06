// Who the user blocked or muted, and which domains: the tables behind the owner's safety
// tools. A domain block covers its subdomains; hosts are compared without their port.
//
// The inbox asks on every request, so the three lists are read once into memory and read
// again after any change made here (this class is their only writer). They are never read
// into memory inside a transaction (a change not yet committed may still roll back): until
// the next lookup outside one, the tables are asked directly.
import type { Db } from '../store/database';

export interface BlockEntry {
  actorUri: string;
  since: number;
}

export interface DomainBlockEntry {
  domain: string;
  since: number;
}

/** `Example.Social.:443` → `example.social` (a host or a domain as typed). */
export function normalizeDomain(value: string): string {
  return value.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/:\d+$/, '').replace(/\.+$/, '');
}

/** The lists as the lookups use them. */
interface Snapshot {
  accounts: Set<string>;
  mutes: Set<string>;
  domains: Set<string>;
}

export class BlockList {
  private readonly stmts;
  /** Null until read, and again after every change. */
  private snapshot: Snapshot | null = null;

  constructor(private readonly db: Db) {
    this.stmts = {
      block: db.prepare<[string, number, string | null]>(`INSERT INTO account_blocks (actor_uri, created_at, activity_uri) VALUES (?, ?, ?)
          ON CONFLICT (actor_uri) DO NOTHING`),
      unblock: db.prepare<[string], { activity_uri: string | null }>('DELETE FROM account_blocks WHERE actor_uri = ? RETURNING activity_uri'),
      blocked: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM account_blocks WHERE actor_uri = ?'),
      blocks: db.prepare<[], { actor_uri: string; created_at: number }>('SELECT actor_uri, created_at FROM account_blocks ORDER BY created_at DESC'),
      mute: db.prepare<[string, number]>('INSERT INTO account_mutes (actor_uri, created_at) VALUES (?, ?) ON CONFLICT (actor_uri) DO NOTHING'),
      unmute: db.prepare<[string]>('DELETE FROM account_mutes WHERE actor_uri = ?'),
      muted: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM account_mutes WHERE actor_uri = ?'),
      mutes: db.prepare<[], { actor_uri: string; created_at: number }>('SELECT actor_uri, created_at FROM account_mutes ORDER BY created_at DESC'),
      blockDomain: db.prepare<[string, number]>('INSERT INTO domain_blocks (domain, created_at) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING'),
      unblockDomain: db.prepare<[string]>('DELETE FROM domain_blocks WHERE domain = ?'),
      domains: db.prepare<[], { domain: string; created_at: number }>('SELECT domain, created_at FROM domain_blocks ORDER BY domain'),
      domainHit: db.prepare<[{ host: string }], { n: number }>(`SELECT count(*) AS n FROM domain_blocks
          WHERE domain = @host OR substr(@host, -length(domain) - 1) = '.' || domain`),
      accountList: db.prepare<[], { actor_uri: string }>('SELECT actor_uri FROM account_blocks'),
      muteList: db.prepare<[], { actor_uri: string }>('SELECT actor_uri FROM account_mutes'),
      domainList: db.prepare<[], { domain: string }>('SELECT domain FROM domain_blocks'),
    };
  }

  /** Whether a host (or a URL's host) is under a blocked domain. */
  isDomainBlocked(host: string): boolean {
    const lists = this.lists();
    if (!lists) return this.stmts.domainHit.get({ host: normalizeDomain(host) })!.n > 0;
    if (lists.domains.size === 0) return false;
    // The host and each parent domain: `a.b.example` is under `b.example` and `example`.
    for (let name = normalizeDomain(host); ; name = name.slice(name.indexOf('.') + 1)) {
      if (lists.domains.has(name)) return true;
      if (!name.includes('.')) return false;
    }
  }

  /** Blocked by account, or by its domain. */
  isBlocked(actorUri: string): boolean {
    const lists = this.lists();
    if (lists ? lists.accounts.has(actorUri) : this.stmts.blocked.get(actorUri)!.n > 0) return true;
    const host = hostnameOf(actorUri);
    return host !== undefined && this.isDomainBlocked(host);
  }

  /** Whether a note URI lives under a blocked domain (its author is on its host). */
  isBlockedAuthorOf(noteUri: string): boolean {
    const host = hostnameOf(noteUri);
    return host !== undefined && this.isDomainBlocked(host);
  }

  isMuted(actorUri: string): boolean {
    const lists = this.lists();
    return lists ? lists.mutes.has(actorUri) : this.stmts.muted.get(actorUri)!.n > 0;
  }

  /** True when it was not blocked before. */
  block(actorUri: string, at: number, activityUri: string | null): boolean {
    return this.changed(() => this.stmts.block.run(actorUri, at, activityUri).changes > 0);
  }

  /** The Block activity's URI (for its Undo), or undefined when it was not blocked. */
  unblock(actorUri: string): { activityUri: string | null } | undefined {
    const row = this.changed(() => this.stmts.unblock.get(actorUri));
    return row ? { activityUri: row.activity_uri } : undefined;
  }

  mute(actorUri: string, at: number): boolean {
    return this.changed(() => this.stmts.mute.run(actorUri, at).changes > 0);
  }

  unmute(actorUri: string): boolean {
    return this.changed(() => this.stmts.unmute.run(actorUri).changes > 0);
  }

  blockDomain(domain: string, at: number): boolean {
    return this.changed(() => this.stmts.blockDomain.run(normalizeDomain(domain), at).changes > 0);
  }

  unblockDomain(domain: string): boolean {
    return this.changed(() => this.stmts.unblockDomain.run(normalizeDomain(domain)).changes > 0);
  }

  blocks(): BlockEntry[] {
    return this.stmts.blocks.all().map((r) => ({ actorUri: r.actor_uri, since: r.created_at }));
  }

  mutes(): BlockEntry[] {
    return this.stmts.mutes.all().map((r) => ({ actorUri: r.actor_uri, since: r.created_at }));
  }

  domains(): DomainBlockEntry[] {
    return this.stmts.domains.all().map((r) => ({ domain: r.domain, since: r.created_at }));
  }

  /** The lists in memory; null when changed in a transaction still open (ask the tables). */
  private lists(): Snapshot | null {
    if (this.snapshot || this.db.inTransaction) return this.snapshot;
    this.snapshot = {
      accounts: new Set(this.stmts.accountList.all().map((r) => r.actor_uri)),
      mutes: new Set(this.stmts.muteList.all().map((r) => r.actor_uri)),
      domains: new Set(this.stmts.domainList.all().map((r) => r.domain)),
    };
    return this.snapshot;
  }

  /** Runs a write and forgets the lists (read again outside any transaction, once it committed or rolled back). */
  private changed<T>(write: () => T): T {
    this.snapshot = null;
    try {
      return write();
    } finally {
      this.snapshot = null;
    }
  }
}

function hostnameOf(uri: string): string | undefined {
  try {
    return new URL(uri).hostname;
  } catch {
    return undefined;
  }
}
