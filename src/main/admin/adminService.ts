// The admin API over an Instance: one handler per contract method. Transports (HTTP, IPC)
// validate params with the shared spec and call these.
import type { AdminMethod, ParamsOf, ResultOf } from '../../shared/adminApi';
import { AdminError, isAdminMethod, validateParams } from '../../shared/adminApi';
import type { AvatarMediaType, FollowDto, HostDto, MediaStorageDto, NotificationDto, SettingsDto, UploadedMediaDto } from '../../shared/dto';
import { localPath } from '../core/media/mediaRequests';
import type { UploadRecord } from '../core/media/uploads';
import { deliverySettingsOf, loadStoredSettings, saveStoredSettings } from '../core/settings';
import { DEFAULT_ADMIN, DEFAULT_DELIVERY, DEFAULT_SIGNATURES } from '../core/config';
import { DomainError, type DomainErrorKind } from '../core/errors';
import { isDiskFull } from '../core/store/storageHealth';
import { BackupError } from '../core/store/backups';
import { HostViews } from '../core/delivery/hostViews';
import type { Instance } from '../core/instance';
import { OUTPOST_VERSION } from '../core/instance';
import { loadProfile } from '../core/federation/localActor';
import { parseCursor } from '../core/social/noteRepository';
import type { FollowRecord } from '../core/social/followRepository';
import { federationHandlers } from './federationHandlers';

export type AdminHandlers = { [M in AdminMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export interface AdminContext {
  adminUrl: string | null;
  dataDir: string;
}

export function createAdminHandlers(inst: Instance, ctx: AdminContext): AdminHandlers {
  const { db } = inst;
  const hostViews = new HostViews(db, inst.hostHealth, () => inst.queue.waitingByHost());
  const hostDto = (host: string): HostDto => {
    const d = hostViews.detail(host)!;
    const { recentAttempts: _a, days: _d, ...dto } = d;
    return dto;
  };

  const defaults = deliverySettingsOf(structuredClone(DEFAULT_DELIVERY));
  const settingsDto = (): SettingsDto => {
    const p = loadProfile(db);
    const avatar = inst.media.avatar();
    const header = inst.media.header();
    const stored = loadStoredSettings(db);
    return {
      displayName: p.displayName, summary: p.summary, manuallyApprovesFollowers: p.manuallyApprovesFollowers,
      fields: inst.profiles.ownFields(),
      avatarUrl: avatar ? inst.identity.mediaUrl(avatar.file) : null,
      avatarSrc: avatar ? localPath(avatar.file) : null,
      headerUrl: header ? inst.identity.mediaUrl(header.file) : null,
      headerSrc: header ? localPath(header.file) : null,
      showSensitiveMedia: stored.showSensitiveMedia,
      osNotifications: stored.osNotifications,
      authorizedFetch: stored.authorizedFetch,
      discoverable: p.discoverable, indexable: p.indexable, signatureSpec: stored.signatureSpec ?? DEFAULT_SIGNATURES.preferredSpec,
      delivery: deliverySettingsOf(inst.deliveryConfig), deliveryDefaults: defaults, dataDir: ctx.dataDir,
    };
  };
  const mediaStorage = (): MediaStorageDto => ({
    uploads: inst.uploads.stats(),
    cache: inst.mediaCache.stats(),
    uploadCaps: { imageBytes: inst.mediaConfig.uploadImageMaxBytes, videoBytes: inst.mediaConfig.uploadVideoMaxBytes },
  });
  const profileImage = async (which: 'avatar' | 'header', data?: { data: string; mediaType: AvatarMediaType }) => {
    if (data) await inst.media.save(which, Buffer.from(data.data, 'base64'), data.mediaType);
    else inst.media.remove(which);
    db.transaction(() => inst.actions.announceProfile())();
    return settingsDto();
  };
  const uploadedDto = (u: UploadRecord): UploadedMediaDto => ({
    mediaId: u.id, url: inst.identity.mediaUrl(u.file), src: localPath(u.file), kind: u.kind, mediaType: u.mediaType,
    width: u.width, height: u.height, blurhash: u.blurhash, bytes: u.bytes, description: u.description,
  });
  const followDto = (f: FollowRecord): FollowDto => ({ actor: inst.views.actor(f.actorUri), state: f.state, since: f.createdAt });
  const requireFederation = (method: string) => {
    if (!inst.federation.enabled) throw new AdminError('federation_paused', `${method}: ${inst.federation.reason}`);
  };

  return noticingDiskFull(inst, {
    ...federationHandlers(inst),
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
        storage: { ...inst.storage.dto, lastBackup: inst.backups.last() },
      };
    },
    exportBackup: () => inst.backups.create(),
    block: (p) => inst.moderation.block(p.handle),
    unblock: (p) => inst.moderation.unblock(p.handle),
    mute: (p) => inst.moderation.mute(p.handle),
    unmute: (p) => inst.moderation.unmute(p.handle),
    blockDomain: async (p) => inst.moderation.blockDomain(p.domain),
    unblockDomain: async (p) => inst.moderation.unblockDomain(p.domain),
    blocks: async () => inst.moderation.list(),
    report: (p) => inst.moderation.report(p),
    compose: (p) => inst.actions.compose(p),
    thread: (p) => inst.conversations.thread(p.noteId),
    editNote: (p) => inst.conversations.editNote(p.noteId, p.content, p.summary),
    noteHistory: async (p) => inst.conversations.noteHistory(p.noteId),
    vote: (p) => inst.conversations.vote(p.noteId, p.choices),
    bookmark: async (p) => inst.conversations.bookmark(p.noteId, true),
    unbookmark: async (p) => inst.conversations.bookmark(p.noteId, false),
    bookmarks: async (p) => inst.conversations.bookmarkPage(p.limit ?? DEFAULT_ADMIN.timelinePageSize, checkCursor('bookmarks', p.before)),
    search: (p) => inst.conversations.find(p.q, p.offset),
    tagTimeline: async (p) => inst.conversations.search.tagPage(p.tag, p.limit ?? DEFAULT_ADMIN.timelinePageSize, checkCursor('tagTimeline', p.before)),
    async uploadMedia(p) {
      inst.uploads.pruneUnattached();
      return uploadedDto(await inst.uploads.save(Buffer.from(p.data, 'base64'), p.mediaType, p.description));
    },
    describeMedia: async (p) => uploadedDto(inst.uploads.describe(p.mediaId, p.description)),
    storage: async () => mediaStorage(),
    async clearMediaCache() {
      inst.mediaCache.clear();
      return mediaStorage();
    },
    async timeline(p) {
      return inst.notes.timeline(p.limit ?? DEFAULT_ADMIN.timelinePageSize, checkCursor('timeline', p.before), (n) => inst.views.notes(n), (u) => inst.views.actor(u));
    },
    async notifications(p) {
      const limit = p.limit ?? DEFAULT_ADMIN.notificationsPageSize;
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
          ...(r.targetUri ? { target: inst.views.actor(r.targetUri) } : {}),
        };
        if (key) groups.set(key, dto);
        grouped.push(dto);
      }
      return { notifications: grouped, next: more ? page[page.length - 1]!.id : null };
    },
    async markNotificationsRead(p) {
      inst.notifications.markReadUpTo(p.upTo);
      return { ok: true };
    },
    async lookup(p) {
      // The follow box takes what search takes: a handle, a profile URL, or a profile's page (its ActivityPub alternate).
      const found = await inst.conversations.resolver.resolve(p.handle, { refresh: true });
      if (found.kind === 'note') throw new AdminError('bad_params', `lookup: ${p.handle.trim()} is a post, not a profile`);
      return inst.profiles.lookup(found.actorUri);
    },
    profile: (p) => inst.profiles.profile(p.handle, p.page),
    async sentActivities(p) {
      if (p.objectUris) return inst.sent.about(p.objectUris);
      try {
        return inst.sent.page(p.limit ?? DEFAULT_ADMIN.timelinePageSize, p.before);
      } catch {
        throw new AdminError('bad_params', 'sentActivities: field "before" is not a sentActivities cursor');
      }
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
    queueStats: async () => inst.queue.queueStats(),
    async deliveryProgress(p) {
      const progress = inst.queue.progress(p.activityId);
      if (!progress) throw new AdminError('not_found', `deliveryProgress: no activity ${p.activityId}`);
      return progress;
    },
    hosts: async () => hostViews.list(),
    async host(p) {
      const detail = hostViews.detail(p.host);
      if (!detail) throw new AdminError('not_found', `host: no deliveries to ${p.host} yet`);
      return { ...detail, signature: inst.signatureSpecs.get(p.host) };
    },
    async retryHost(p) {
      if (!inst.queue.retryHost(p.host)) throw new AdminError('not_found', `retryHost: no deliveries to ${p.host} yet`);
      return hostDto(p.host);
    },
    async suspendHost(p) {
      const origin = hostViews.originOf(p.host);
      if (!origin) throw new AdminError('not_found', `suspendHost: unknown host ${p.host}`);
      inst.queue.suspendHost(p.host, origin);
      return hostDto(p.host);
    },
    async resumeHost(p) {
      if (!inst.queue.resumeHost(p.host)) throw new AdminError('not_found', `resumeHost: unknown host ${p.host}`);
      return hostDto(p.host);
    },
    metrics: async (p) => inst.metrics.series(p.range),
    tunnelStatus: async () => inst.tunnel.status(),
    tunnelStart: (p) => inst.tunnel.start(p),
    tunnelStop: () => inst.tunnel.stopByUser(),
    settings: async () => settingsDto(),
    async updateSettings(p) {
      const { displayName, summary, manuallyApprovesFollowers, osNotifications, authorizedFetch, discoverable, indexable, signatureSpec, showSensitiveMedia, fields, ...delivery } = p;
      if (displayName !== undefined || summary !== undefined || manuallyApprovesFollowers !== undefined || discoverable !== undefined
        || indexable !== undefined || fields !== undefined) {
        inst.actions.updateSettings({ displayName, summary, manuallyApprovesFollowers, discoverable, indexable, fields });
        // Changed links are checked for rel="me" at once (the answer shows on the next look).
        if (fields !== undefined) inst.links.startOwnChecks(() => inst.profiles.ownLinks());
      }
      const stored = loadStoredSettings(db);
      if (signatureSpec !== undefined) stored.signatureSpec = signatureSpec;
      if (osNotifications !== undefined) stored.osNotifications = osNotifications;
      if (authorizedFetch !== undefined) stored.authorizedFetch = authorizedFetch;
      if (showSensitiveMedia !== undefined) stored.showSensitiveMedia = showSensitiveMedia;
      if (Object.keys(delivery).length > 0) {
        stored.delivery = { ...stored.delivery, ...delivery };
        inst.reconfigureDelivery(delivery);
      }
      saveStoredSettings(db, stored);
      return settingsDto();
    },
    uploadAvatar: (p) => profileImage('avatar', p),
    removeAvatar: () => profileImage('avatar'),
    uploadHeader: (p) => profileImage('header', p),
    removeHeader: () => profileImage('header'),
  });
}

/** A page cursor as given, or a bad_params error naming the method. */
function checkCursor(method: string, before: string | undefined): string | undefined {
  if (before === undefined) return undefined;
  try {
    parseCursor(before);
  } catch {
    throw new AdminError('bad_params', `${method}: field "before" is not a page cursor`);
  }
  return before;
}

const ADMIN_CODE: Record<DomainErrorKind, AdminError['code']> = {
  not_found: 'not_found', conflict: 'conflict', invalid: 'bad_params', remote: 'remote_error',
};

/** Every handler tells the instance's storage health about a write that failed for lack of space. */
function noticingDiskFull(inst: Instance, handlers: AdminHandlers): AdminHandlers {
  const wrapped = {} as Record<string, (p: unknown) => Promise<unknown>>;
  for (const [method, fn] of Object.entries(handlers) as [string, (p: unknown) => Promise<unknown>][]) {
    wrapped[method] = async (p) => {
      try {
        return await fn(p);
      } catch (err) {
        inst.storage.noteWriteFailure(err);
        throw err;
      }
    };
  }
  return wrapped as AdminHandlers;
}

/** Validates and runs one method: the single entry both transports use. Core errors become AdminErrors naming the method. */
export async function invokeAdmin(handlers: AdminHandlers, method: string, rawParams: unknown): Promise<unknown> {
  if (!isAdminMethod(method)) throw new AdminError('unknown_method', `unknown method "${method}"`);
  const params = validateParams(method, rawParams);
  try {
    return await (handlers[method] as (p: unknown) => Promise<unknown>)(params);
  } catch (err) {
    if (err instanceof DomainError) throw new AdminError(ADMIN_CODE[err.kind], `${method}: ${err.message}`);
    if (isDiskFull(err)) throw new AdminError('storage_full', `${method}: the disk is full; nothing was changed. Free some space and try again.`);
    if (err instanceof BackupError) throw new AdminError('storage_full', `${method}: ${err.message}`);
    throw err;
  }
}
