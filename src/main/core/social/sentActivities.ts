// What the instance sent and how far each activity got, from the store: the activities
// about some objects (a note's Create, our like and boost of it) or the newest first,
// each with its per-state delivery counts. Survives reloads and restarts, unlike the
// window's memory of what it composed.
import type { Db } from '../store/database';
import type { PeopleConfig } from '../config';
import type { SentActivityDto, SentActivityPage } from '../../../shared/people';
import { DeliveryRows } from '../delivery/deliveryRows';
import { plainText } from '../federation/sanitize';
import type { NoteRepository } from './noteRepository';

interface ActivityRow { id: string; uri: string; type: string; object_uri: string | null; created_at: number }


export class SentActivities {
  private readonly rows: DeliveryRows;
  private readonly stmts;

  constructor(db: Db, private readonly notes: Pick<NoteRepository, 'byUri'>, private readonly config: Pick<PeopleConfig, 'sentPerObjectMax' | 'excerptChars'>) {
    this.rows = new DeliveryRows(db);
    this.stmts = {
      byObject: db.prepare<[string, number], ActivityRow>(`SELECT id, uri, type, object_uri, created_at FROM activities
          WHERE object_uri = ? ORDER BY created_at DESC LIMIT ?`),
      newest: db.prepare<[number], ActivityRow>(`SELECT id, uri, type, object_uri, created_at FROM activities
          ORDER BY created_at DESC, id DESC LIMIT ?`),
      before: db.prepare<[number, string, number], ActivityRow>(`SELECT id, uri, type, object_uri, created_at FROM activities
          WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`),
    };
  }

  /** The activities about each of `objectUris`, newest first. */
  about(objectUris: string[]): SentActivityPage {
    const activities = [...new Set(objectUris)].flatMap((uri) => this.stmts.byObject.all(uri, this.config.sentPerObjectMax)).map((r) => this.dto(r));
    return { activities, next: null };
  }

  /** The newest activities, `limit` at a time; `before` is a previous page's `next`. */
  page(limit: number, before?: string): SentActivityPage {
    const cur = before ? parseSentCursor(before) : undefined;
    const rows = cur ? this.stmts.before.all(cur.at, cur.id, limit + 1) : this.stmts.newest.all(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { activities: page.map((r) => this.dto(r)), next: rows.length > limit && last ? `${last.created_at}_${last.id}` : null };
  }

  private dto(r: ActivityRow): SentActivityDto {
    const note = r.object_uri ? this.notes.byUri(r.object_uri) : undefined;
    const text = note ? (note.summary ? `CW: ${note.summary}` : plainText(note.contentHtml.replace(/<\/p>/g, '</p> '))) : null;
    return {
      activityId: r.id, uri: r.uri, type: r.type, objectUri: r.object_uri, createdAt: r.created_at,
      objectText: text === null ? null : text.length > this.config.excerptChars ? `${text.slice(0, this.config.excerptChars - 1)}…` : text,
      summary: { activityId: r.id, ...this.rows.summary(r.id) },
    };
  }
}

/** `<createdAt>_<id>` → its parts; throws RangeError for anything else. */
export function parseSentCursor(cursor: string): { at: number; id: string } {
  const m = /^(\d{1,16})_([a-z0-9]{1,40})$/.exec(cursor);
  if (!m) throw new RangeError('before: not a sentActivities cursor');
  return { at: Number(m[1]), id: m[2]! };
}
