// The admin API over an Instance: one handler per contract method. Transports (HTTP, IPC)
// validate params with the shared spec and call these.
import type { AdminMethod, ParamsOf, ResultOf } from '../../shared/adminApi';
import { AdminError, isAdminMethod, validateParams } from '../../shared/adminApi';
import type { DeliveryRowDto, FollowDto, NotificationDto, QueueStatsDto } from '../../shared/dto';
import type { Instance } from '../core/instance';
import { OUTPOST_VERSION } from '../core/instance';
import { loadProfile } from '../core/federation/localActor';
import { parseCursor } from '../core/social/noteRepository';
import { summarizeRemote } from '../core/federation/remoteActors';
import type { FollowRecord } from '../core/social/followRepository';

export type AdminHandlers = { [M in AdminMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export interface AdminContext {
  adminUrl: string | null;
  dataDir: string;
}

export function createAdminHandlers(inst: Instance, ctx: AdminContext): AdminHandlers {
  const { db } = inst;
  const queueCounts = db.prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM deliveries GROUP BY state');
  const deliveryRows = db.prepare<[string], {
    inbox: string; host: string; state: DeliveryRowDto['state']; attempts: number; next_attempt_at: number;
    last_status: number | null; last_error: string | null; updated_at: number;
  }>('SELECT inbox, host, state, attempts, next_attempt_at, last_status, last_error, updated_at FROM deliveries WHERE activity_id = ? ORDER BY host');
  const activityExists = db.prepare<[string], { id: string }>('SELECT id FROM activities WHERE id = ?');

  const followDto = (f: FollowRecord): FollowDto => ({ actor: inst.views.actor(f.actorUri), state: f.state, since: f.createdAt });
  const requireFederation = (method: string) => {
    if (!inst.federation.enabled) throw new AdminError('federation_paused', `${method}: ${inst.federation.reason}`);
  };

  return {
    async status() {
      const profile = loadProfile(db);
      return {
        version: OUTPOST_VERSION,
        publicUrl: inst.publicUrl,
        adminUrl: ctx.adminUrl,
        actor: inst.identity.actor,
        handle: inst.identity.handle,
        username: inst.identity.username,
        displayName: profile.displayName,
        startedAt: inst.startedAt,
        federation: inst.federation,
        counts: {
          notes: inst.notes.countBy(inst.identity.actor),
          followers: inst.follows.followers.count('accepted'),
          following: inst.follows.following.count('accepted'),
          pendingFollowers: inst.follows.followers.count('pending'),
        },
        dataDir: ctx.dataDir,
      };
    },
    compose: (p) => inst.actions.compose(p),
    async timeline(p) {
      if (p.before) {
        try {
          parseCursor(p.before);
        } catch {
          throw new AdminError('bad_params', 'timeline: field "before" is not a timeline cursor');
        }
      }
      return inst.notes.timeline(p.limit ?? 20, p.before, (n) => inst.views.note(n), (u) => inst.views.actor(u));
    },
    async notifications(p) {
      const limit = p.limit ?? 30;
      const records = inst.notifications.page(limit + 1, p.before);
      const more = records.length > limit;
      const page = records.slice(0, limit);
      // Likes and boosts of one note group into one entry ("N people liked your post").
      const grouped: NotificationDto[] = [];
      const groups = new Map<string, NotificationDto>();
      for (const r of page) {
        const key = (r.type === 'like' || r.type === 'boost') && r.noteUri ? `${r.type} ${r.noteUri}` : undefined;
        const existing = key ? groups.get(key) : undefined;
        if (existing) {
          existing.count++;
          if (existing.actors.length < 5) existing.actors.push(inst.views.actor(r.actorUri));
          existing.read &&= r.read;
          continue;
        }
        const note = r.noteUri ? inst.notes.byUri(r.noteUri) : undefined;
        const actor = inst.views.actor(r.actorUri);
        const dto: NotificationDto = {
          id: r.id, type: r.type, actor, actors: [actor], count: 1, note: note ? inst.views.note(note) : null, at: r.createdAt, read: r.read,
        };
        if (key) groups.set(key, dto);
        grouped.push(dto);
      }
      return { notifications: grouped, next: more ? page[page.length - 1]!.id : null };
    },
    async lookup(p) {
      let actor;
      try {
        actor = await inst.actors.resolveHandle(p.handle);
      } catch (err) {
        throw new AdminError('not_found', `lookup: ${err instanceof Error ? err.message : String(err)}`);
      }
      return {
        actor: summarizeRemote(actor),
        followersCount: actor.followersCount,
        followingCount: actor.followingCount,
        followState: inst.follows.following.get(actor.uri)?.state ?? null,
      };
    },
    async follow(p) {
      requireFederation('follow');
      return inst.actions.follow(p.handle);
    },
    unfollow: (p) => inst.actions.unfollow(p.handle),
    followers: async () => inst.follows.followers.list().map(followDto),
    following: async () => inst.follows.following.list().map(followDto),
    approveFollower: (p) => inst.actions.approveFollower(p.actor),
    rejectFollower: (p) => inst.actions.rejectFollower(p.actor),
    like: (p) => inst.actions.like(p.noteId),
    unlike: (p) => inst.actions.unlike(p.noteId),
    boost: (p) => inst.actions.boost(p.noteId),
    unboost: (p) => inst.actions.unboost(p.noteId),
    deleteNote: (p) => inst.actions.deleteNote(p.noteId),
    async queueStats() {
      const counts: Record<string, number> = {};
      for (const r of queueCounts.all()) counts[r.state] = r.n;
      const stats: QueueStatsDto = {
        queued: counts.queued ?? 0,
        inFlight: counts.in_flight ?? 0,
        delivered: counts.delivered ?? 0,
        failed: counts.failed ?? 0,
        parked: 0,
        hostsBackingOff: 0,
      };
      return stats;
    },
    async deliveryProgress(p) {
      if (!activityExists.get(p.activityId)) throw new AdminError('not_found', `deliveryProgress: no activity ${p.activityId}`);
      const inboxes: DeliveryRowDto[] = deliveryRows.all(p.activityId).map((r) => ({
        inbox: r.inbox, host: r.host, state: r.state, attempts: r.attempts,
        nextAttemptAt: r.state === 'queued' ? r.next_attempt_at : null, lastStatus: r.last_status, lastError: r.last_error, updatedAt: r.updated_at,
      }));
      const count = (s: DeliveryRowDto['state']) => inboxes.filter((i) => i.state === s).length;
      return {
        activityId: p.activityId, total: inboxes.length, delivered: count('delivered'), queued: count('queued'),
        inFlight: count('in_flight'), failed: count('failed'), inboxes,
      };
    },
    async settings() {
      const p = loadProfile(db);
      return { displayName: p.displayName, summary: p.summary, manuallyApprovesFollowers: p.manuallyApprovesFollowers };
    },
    async updateSettings(p) {
      const profile = inst.actions.updateSettings(p);
      return { displayName: profile.displayName, summary: profile.summary, manuallyApprovesFollowers: profile.manuallyApprovesFollowers };
    },
  };
}

/** Validates and runs one method: the single entry both transports use. */
export async function invokeAdmin(handlers: AdminHandlers, method: string, rawParams: unknown): Promise<unknown> {
  if (!isAdminMethod(method)) throw new AdminError('unknown_method', `unknown method "${method}"`);
  const params = validateParams(method, rawParams);
  return (handlers[method] as (p: unknown) => Promise<unknown>)(params);
}
