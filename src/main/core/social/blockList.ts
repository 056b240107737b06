// Who the user blocked or muted, and which domains: the tables behind the owner's safety
// tools. A domain block covers its subdomains; hosts are compared without their port.
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

export class BlockList {
  private readonly stmts;

  constructor(db: Db) {
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
    };
  }

  /** Whether a host (or a URL's host) is under a blocked domain. */
  isDomainBlocked(host: string): boolean {
    return this.stmts.domainHit.get({ host: normalizeDomain(host) })!.n > 0;
  }

  /** Blocked by account, or by its domain. */
  isBlocked(actorUri: string): boolean {
    if (this.stmts.blocked.get(actorUri)!.n > 0) return true;
    const host = hostnameOf(actorUri);
    return host !== undefined && this.isDomainBlocked(host);
  }

  /** Whether a note URI lives under a blocked domain (its author is on its host). */
  isBlockedAuthorOf(noteUri: string): boolean {
    const host = hostnameOf(noteUri);
    return host !== undefined && this.isDomainBlocked(host);
  }

  isMuted(actorUri: string): boolean {
    return this.stmts.muted.get(actorUri)!.n > 0;
  }

  /** True when it was not blocked before. */
  block(actorUri: string, at: number, activityUri: string | null): boolean {
    return this.stmts.block.run(actorUri, at, activityUri).changes > 0;
  }

  /** The Block activity's URI (for its Undo), or undefined when it was not blocked. */
  unblock(actorUri: string): { activityUri: string | null } | undefined {
    const row = this.stmts.unblock.get(actorUri);
    return row ? { activityUri: row.activity_uri } : undefined;
  }

  mute(actorUri: string, at: number): boolean {
    return this.stmts.mute.run(actorUri, at).changes > 0;
  }

  unmute(actorUri: string): boolean {
    return this.stmts.unmute.run(actorUri).changes > 0;
  }

  blockDomain(domain: string, at: number): boolean {
    return this.stmts.blockDomain.run(normalizeDomain(domain), at).changes > 0;
  }

  unblockDomain(domain: string): boolean {
    return this.stmts.unblockDomain.run(normalizeDomain(domain)).changes > 0;
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
}

function hostnameOf(uri: string): string | undefined {
  try {
    return new URL(uri).hostname;
  } catch {
    return undefined;
  }
}
