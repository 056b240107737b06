// Which signature spec each remote host takes, remembered in `host_signatures` beside the
// host's delivery health: the spec that last got through, since when, and how its last
// double-knock ended. A host we know nothing about gets the preferred spec (a setting).
// Without a database (tools and unit tests) the memory lasts as long as the object.
import type { Db } from '../store/database';
import type { SignatureConfig } from '../config';
import type { DoubleKnockResult, HostSignatureDto, SignatureSpecName } from '../../../shared/federation';

/** What the signed-request step asks and tells about a host. */
export interface SignatureSpecMemory {
  /** The spec to knock with first. */
  specFor(host: string): SignatureSpecName;
  /** Whether a 400/401 from the host may be double-knocked now (not right after both specs were refused). */
  mayDoubleKnock(host: string, now: number): boolean;
  /** A request signed with `spec` got through (any answer but 400/401). */
  accepted(host: string, spec: SignatureSpecName, now: number): void;
  /** A double-knock ended: `from` was refused, then `to` was tried; `through`: it got past (no 400/401). */
  doubleKnocked(host: string, from: SignatureSpecName, to: SignatureSpecName, through: boolean, now: number): void;
}

interface Row {
  host: string; spec: SignatureSpecName; since: number;
  last_double_knock_at: number | null; last_double_knock: DoubleKnockResult | null; last_double_knock_from: SignatureSpecName | null;
}

export class HostSignatureSpecs implements SignatureSpecMemory {
  /** Every remembered host, in memory (one row per host we ever signed a request to). */
  private readonly rows = new Map<string, HostSignatureDto>();
  private readonly stmts;

  constructor(
    db: Db | null,
    private readonly config: Pick<SignatureConfig, 'doubleKnockCooldownMs'>,
    private readonly preferred: () => SignatureSpecName,
    /** Told when a host's spec changed (the Hosts view refreshes). */
    private readonly onChange: (host: string) => void = () => {},
  ) {
    this.stmts = db && {
      all: db.prepare<[], Row>('SELECT * FROM host_signatures'),
      upsert: db.prepare(`INSERT INTO host_signatures (host, spec, since, last_double_knock_at, last_double_knock, last_double_knock_from)
          VALUES (@host, @spec, @since, @lastDoubleKnockAt, @lastDoubleKnock, @lastDoubleKnockFrom)
          ON CONFLICT (host) DO UPDATE SET spec = excluded.spec, since = excluded.since, last_double_knock_at = excluded.last_double_knock_at,
            last_double_knock = excluded.last_double_knock, last_double_knock_from = excluded.last_double_knock_from`),
    };
    for (const r of this.stmts?.all.all() ?? []) {
      this.rows.set(r.host, {
        spec: r.spec, since: r.since, lastDoubleKnockAt: r.last_double_knock_at, lastDoubleKnock: r.last_double_knock,
        lastDoubleKnockFrom: r.last_double_knock_from,
      });
    }
  }

  /** What the host drawer shows; null for a host we never signed a request to. */
  get(host: string): HostSignatureDto | null {
    return this.rows.get(host) ?? null;
  }

  specFor(host: string): SignatureSpecName {
    return this.rows.get(host)?.spec ?? this.preferred();
  }

  mayDoubleKnock(host: string, now: number): boolean {
    const r = this.rows.get(host);
    if (!r || r.lastDoubleKnock !== 'refused_both' || r.lastDoubleKnockAt === null) return true;
    return now - r.lastDoubleKnockAt >= this.config.doubleKnockCooldownMs;
  }

  accepted(host: string, spec: SignatureSpecName, now: number): void {
    const r = this.rows.get(host);
    if (r?.spec === spec) return; // the common case: nothing to write
    this.save(host, { ...(r ?? { lastDoubleKnockAt: null, lastDoubleKnock: null, lastDoubleKnockFrom: null }), spec, since: now });
  }

  doubleKnocked(host: string, from: SignatureSpecName, to: SignatureSpecName, through: boolean, now: number): void {
    const r = this.rows.get(host);
    const spec = through ? to : (r?.spec ?? from);
    const since = r && r.spec === spec ? r.since : now;
    const result: DoubleKnockResult = through ? 'switched' : 'refused_both';
    this.save(host, { spec, since, lastDoubleKnockAt: now, lastDoubleKnock: result, lastDoubleKnockFrom: from });
  }

  private save(host: string, dto: HostSignatureDto): void {
    const changed = this.rows.get(host)?.spec !== dto.spec;
    this.rows.set(host, dto);
    this.stmts?.upsert.run({ host, ...dto });
    if (changed) this.onChange(host);
  }
}

/** The spec a double-knock tries after `spec` was refused. */
export function other(spec: SignatureSpecName): SignatureSpecName {
  return spec === 'rfc9421' ? 'draft-cavage' : 'rfc9421';
}
