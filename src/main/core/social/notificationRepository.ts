// Notifications for the local user. Likes and boosts of one note group into one entry
// when read ("N people liked your post").
import type { Db } from '../store/database';
import type { NotificationType } from '../../../shared/dto';
import { newId } from '../ids';

export interface NotificationRecord {
  id: string;
  type: NotificationType;
  actorUri: string;
  noteUri: string | null;
  activityUri: string | null;
  createdAt: number;
  read: boolean;
  /** The other account: where a `move` notification's actor moved to. */
  targetUri: string | null;
}

interface Row {
  id: string; type: NotificationType; actor_uri: string; note_uri: string | null; activity_uri: string | null; created_at: number; read: number;
  target_uri: string | null;
}
const fromRow = (r: Row): NotificationRecord => ({
  id: r.id, type: r.type, actorUri: r.actor_uri, noteUri: r.note_uri, activityUri: r.activity_uri, createdAt: r.created_at, read: r.read === 1,
  targetUri: r.target_uri,
});

const NOT_MUTED = 'actor_uri NOT IN (SELECT actor_uri FROM account_mutes)';

export class NotificationRepository {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO notifications (id, type, actor_uri, note_uri, activity_uri, created_at, target_uri)
          VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      // Muted accounts' notifications are left out (kept, shown again on unmute).
      first: db.prepare<[number], Row>(`SELECT * FROM notifications WHERE ${NOT_MUTED} ORDER BY id DESC LIMIT ?`),
      before: db.prepare<[string, number], Row>(`SELECT * FROM notifications WHERE id < ? AND ${NOT_MUTED} ORDER BY id DESC LIMIT ?`),
      removeByActivity: db.prepare<[string]>('DELETE FROM notifications WHERE activity_uri = ?'),
      removeByActor: db.prepare<[string]>('DELETE FROM notifications WHERE actor_uri = ?'),
      removeByNote: db.prepare<[string]>('DELETE FROM notifications WHERE note_uri = ?'),
      removeFollowRequest: db.prepare<[string]>(`DELETE FROM notifications WHERE actor_uri = ? AND type = 'follow_request'`),
      markRead: db.prepare<[string]>('UPDATE notifications SET read = 1 WHERE id <= ? AND read = 0'),
      actors: db.prepare<[], { actor_uri: string }>('SELECT DISTINCT actor_uri FROM notifications'),
    };
  }

  /** Adds a notification; returns its id, or undefined if this activity already notified. */
  add(type: NotificationType, actorUri: string, noteUri: string | null, activityUri: string | null, at: number, targetUri: string | null = null): string | undefined {
    const id = newId(at);
    return this.stmts.insert.run(id, type, actorUri, noteUri, activityUri, at, targetUri).changes > 0 ? id : undefined;
  }

  page(limit: number, before?: string): NotificationRecord[] {
    return (before ? this.stmts.before.all(before, limit) : this.stmts.first.all(limit)).map(fromRow);
  }

  removeByActivity(activityUri: string): void {
    this.stmts.removeByActivity.run(activityUri);
  }
  removeByActor(actorUri: string): void {
    this.stmts.removeByActor.run(actorUri);
  }
  removeByNote(noteUri: string): void {
    this.stmts.removeByNote.run(noteUri);
  }
  removeFollowRequest(actorUri: string): void {
    this.stmts.removeFollowRequest.run(actorUri);
  }
  /** Every account with a notification. */
  actors(): string[] {
    return this.stmts.actors.all().map((r) => r.actor_uri);
  }

  markReadUpTo(id: string): void {
    this.stmts.markRead.run(id);
  }
}
