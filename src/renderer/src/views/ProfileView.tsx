// A profile: `#/profile/<handle or actor URL>`, or the owner's own at `#/profile`. Header,
// avatar, name, bio, fields (verified links marked), counts, markers, the follow actions
// (their state from the store's follow lists) and the moderation menu; then its posts,
// page by page. A post opens into its thread.
import { useEffect, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { FollowState, NoteDto, ProfileLookupDto } from '../../../shared/dto';
import { Avatar, Badge, EmptyState, ErrorState, Loading } from '../components/common';
import { AccountMenu } from '../components/NoteMenu';
import { RemoveFollowerConfirm, UnfollowConfirm } from '../components/ConfirmDialog';
import { ErrorText } from '../components/ErrorText';
import { Icon } from '../components/Icon';
import { NoteCard } from '../components/NoteCard';
import { ProfileEditor } from '../components/ProfileEditor';
import { atHandle, formatInt } from '../lib/format';
import { routeHash } from '../lib/route';
import { renderNoteHtml, safeHref } from '../lib/sanitize';
import { fullDate } from '../lib/time';
import { mediaSrc } from '../lib/media';
import { withEmojis } from '../lib/emoji';
import { useStore } from '../store';
import '../people.css';

/** What the store's follow lists say (live), else what the profile said when it loaded. */
function useFollowStates(p: ProfileLookupDto): { followState: FollowState | null; followedBy: FollowState | null } {
  const following = useStore((s) => s.following);
  const followers = useStore((s) => s.followers);
  const uri = p.actor.uri;
  return {
    followState: following.status === 'ready' ? (following.data.find((f) => f.actor.uri === uri)?.state ?? null) : p.followState,
    followedBy: followers.status === 'ready' ? (followers.data.find((f) => f.actor.uri === uri)?.state ?? null) : p.followedBy,
  };
}

type Confirm = null | 'unfollow' | 'remove';

function FollowActions({ p }: { p: ProfileLookupDto }) {
  const follow = useStore((s) => s.follow);
  const unfollow = useStore((s) => s.unfollow);
  const removeFollower = useStore((s) => s.removeFollower);
  const answer = useStore((s) => s.answerFollower);
  const toast = useStore((s) => s.toast);
  const toastError = useStore((s) => s.toastError);
  const blocks = useStore((s) => s.blocks);
  const moderate = useStore((s) => s.moderate);
  const { followState, followedBy } = useFollowStates(p);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const who = atHandle(p.actor.handle);
  const blocked = blocks.status === 'ready' ? blocks.data.accounts.some((a) => a.actor.uri === p.actor.uri) : p.blocked;
  const muted = blocks.status === 'ready' ? blocks.data.mutes.some((a) => a.actor.uri === p.actor.uri) : p.muted;

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };
  const doFollow = () => run(async () => {
    try {
      const res = await follow(p.actor.handle);
      toast(res.state === 'accepted' ? `You follow ${who}` : p.locked ? `Follow request sent to ${who}: they approve followers by hand` : `Following ${who}`, 'info');
    } catch (err) {
      toastError(`Could not follow ${who}`, err);
    }
  });

  if (blocked) {
    return (
      <div className="profile-actions">
        <button type="button" className="btn" disabled={busy} onClick={() => void run(() => moderate('unblock', p.actor.uri).catch((err) => toastError(`Could not unblock ${who}`, err)))}>Unblock</button>
      </div>
    );
  }
  return (
    <div className="profile-actions">
      {muted && (
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void run(() => moderate('unmute', p.actor.uri).catch((err) => toastError(`Could not unmute ${who}`, err)))}>Unmute</button>
      )}
      {followedBy === 'pending' && (
        <>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void run(() => answer(p.actor.uri, false))}>Reject request</button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void run(() => answer(p.actor.uri, true))}>Approve request</button>
        </>
      )}
      {followedBy === 'accepted' && (
        <button type="button" className="btn btn-small btn-ghost" disabled={busy} onClick={() => setConfirm('remove')}>Remove follower</button>
      )}
      {followState === 'accepted' || followState === 'pending' ? (
        <button type="button" className="btn" disabled={busy} onClick={() => setConfirm('unfollow')} data-testid="unfollow-button">
          {followState === 'accepted' ? 'Unfollow' : 'Withdraw request'}
        </button>
      ) : (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void doFollow()} data-testid="follow-button">
          {followedBy === 'accepted' ? 'Follow back' : 'Follow'}
        </button>
      )}
      <AccountMenu account={p.actor} label={`More actions for ${who}`} />
      {confirm === 'unfollow' && (
        <UnfollowConfirm who={who} pending={followState === 'pending'} busy={busy} onCancel={() => setConfirm(null)}
          onConfirm={() => void run(() => unfollow(p.actor.handle))} />
      )}
      {confirm === 'remove' && (
        <RemoveFollowerConfirm who={who} busy={busy} onCancel={() => setConfirm(null)} onConfirm={() => void run(() => removeFollower(p.actor.uri, who))} />
      )}
    </div>
  );
}

function Header({ path }: { path: string | null }) {
  // From the instance only (our file, or the remote media cache): the window loads no remote URL.
  const src = mediaSrc(path);
  const [failed, setFailed] = useState(false);
  useEffect(() => setFailed(false), [src]);
  return (
    <div className="profile-header-img" aria-hidden="true">
      {src && !failed && <img src={src} alt="" referrerPolicy="no-referrer" onError={() => setFailed(true)} />}
    </div>
  );
}

function Fields({ p }: { p: ProfileLookupDto }) {
  if (p.fields.length === 0) return null;
  return (
    <dl className="profile-fields-table" data-testid="profile-fields">
      {p.fields.map((f, i) => (
        <div key={i} className={f.verifiedAt ? 'verified' : ''}>
          <dt dir="auto">{f.name}</dt>
          <dd dir="auto">
            {f.verifiedAt && (
              <span className="verified-mark" title={`Verified ${fullDate(f.verifiedAt)}: the page links back to this profile`} aria-label="Verified link">
                <Icon name="check" size={14} />
              </span>
            )}
            {renderNoteHtml(f.valueHtml)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Counts({ p }: { p: ProfileLookupDto }) {
  const n = (v: number | null) => (v === null ? '—' : formatInt(v));
  const s = (v: number | null, one: string, many: string) => (v === 1 ? one : many);
  return (
    <div className="profile-counts" data-testid="profile-counts">
      <span><strong className="tabular">{n(p.postsCount)}</strong> {s(p.postsCount, 'post', 'posts')}</span>
      <span><strong className="tabular">{n(p.followingCount)}</strong> following</span>
      <span><strong className="tabular">{n(p.followersCount)}</strong> {s(p.followersCount, 'follower', 'followers')}</span>
      {p.createdAt && <span className="muted">Joined {new Date(p.createdAt).toLocaleDateString(undefined, { year: 'numeric', month: 'short' })}</span>}
    </div>
  );
}

/** A post that opens into its thread on click (or Enter), without stealing clicks on its own links and buttons. */
function ProfilePost({ note }: { note: NoteDto }) {
  const open = () => {
    window.location.hash = routeHash({ view: 'thread', arg: note.id });
  };
  const interactive = (t: EventTarget | null) => t instanceof Element && !!t.closest('a, button, summary, details, input, textarea, [role="menu"], [role="dialog"]');
  return (
    <div
      className="profile-post" tabIndex={0} aria-label="Open the thread of this post"
      onClick={(e: MouseEvent) => !interactive(e.target) && !window.getSelection()?.toString() && open()}
      onKeyDown={(e: KeyboardEvent) => e.key === 'Enter' && e.target === e.currentTarget && open()}
    >
      <NoteCard note={note} />
    </div>
  );
}

function OwnEditor() {
  const settings = useStore((s) => s.settings);
  const load = useStore((s) => s.loadSettings);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open && !settings.data) void load();
  }, [open, settings.data, load]);
  if (!open) {
    return <div className="profile-actions"><button type="button" className="btn" onClick={() => setOpen(true)} data-testid="edit-profile">Edit profile</button></div>;
  }
  return (
    <section className="card profile-edit-card" aria-label="Edit your profile">
      {settings.data ? <ProfileEditor s={settings.data} onDone={() => setOpen(false)} /> : <Loading label="Loading your profile…" />}
    </section>
  );
}

export function ProfileView() {
  const routeArg = useStore((s) => s.routeArg);
  const status = useStore((s) => s.status);
  const profile = useStore((s) => s.profile);
  const loadProfile = useStore((s) => s.loadProfile);
  const loadMore = useStore((s) => s.loadMoreProfile);
  const settings = useStore((s) => s.settings.data);
  const handle = routeArg ?? status?.handle ?? null;
  const own = routeArg === null;

  useEffect(() => {
    const s = useStore.getState();
    void s.loadFollowing();
    void s.loadFollowers();
    void s.loadBlocks();
  }, []);
  // A saved profile edit shows at once on the own profile.
  const settingsKey = own && settings ? JSON.stringify([settings.displayName, settings.summary, settings.fields, settings.avatarSrc, settings.headerSrc]) : '';
  useEffect(() => {
    if (handle) void loadProfile(handle);
  }, [handle, loadProfile, settingsKey]);

  if (!handle) return <Loading />;
  const p = profile.handle === handle ? profile.data : null;
  if (!p) {
    return profile.status === 'error' && profile.handle === handle
      ? <div className="page page-narrow"><ErrorState title="Could not open this profile" message="" onRetry={() => void loadProfile(handle)} /><div className="profile-error"><ErrorText error={profile.error} /></div></div>
      : <div className="page page-narrow"><Loading label={`Loading ${own ? 'your profile' : atHandle(handle)}…`} /></div>;
  }
  const name = p.actor.name || p.actor.handle.split('@')[0]!;
  const followedBy = p.followedBy;
  return (
    <div className="page page-narrow profile-page" data-testid="profile-view" data-handle={p.actor.handle}>
      <section className="card profile-hero" aria-labelledby="profile-name">
        <Header path={p.headerSrc} />
        <div className="profile-hero-body">
          <div className="profile-top">
            <span className="profile-avatar"><Avatar src={p.actor.iconSrc} name={name} size={88} /></span>
            {p.actor.local ? <OwnEditor /> : <FollowActions p={p} />}
          </div>
          <h1 id="profile-name" className="profile-title" dir="auto">{p.actor.name ? withEmojis(p.actor.name, p.actor.emojis) : name}</h1>
          <div className="profile-handle">
            <span className="muted">{atHandle(p.actor.handle)}</span>
            {p.bot && <Badge tone="info" title="An automated account">Bot</Badge>}
            {p.locked && <Badge tone="muted" title="Approves followers by hand"><Icon name="lock" size={12} /> Locked</Badge>}
            {followedBy === 'accepted' && !p.actor.local && <Badge tone="neutral">Follows you</Badge>}
            {!p.actor.local && safeHref(p.actor.url) && (
              <a href={safeHref(p.actor.url)} target="_blank" rel="noopener noreferrer" className="small">On its server <Icon name="external" size={12} /></a>
            )}
          </div>
          {p.actor.movedTo && (
            <div className="banner banner-info compact" role="note">
              <Icon name="user" />
              <div>This account has moved to <a href={routeHash({ view: 'profile', arg: p.actor.movedTo })}>{p.actor.movedTo}</a>.</div>
            </div>
          )}
          {p.actor.summaryHtml && <div className="profile-bio" dir="auto">{renderNoteHtml(p.actor.summaryHtml, p.actor.emojis)}</div>}
          <Fields p={p} />
          <Counts p={p} />
        </div>
      </section>

      <h2 className="section-title">Posts</h2>
      {profile.error && <p className="inline-error small" role="alert">Could not refresh: <ErrorText error={profile.error} /></p>}
      {p.postsError ? (
        <div className="card profile-posts-error" role="alert"><ErrorText error={p.postsError} /></div>
      ) : p.blocked ? (
        <EmptyState icon="block" title="You block this account">Unblock it to see its posts.</EmptyState>
      ) : p.posts.length === 0 ? (
        <EmptyState icon="reply" title="No posts to show">{own ? 'Your public posts appear here.' : 'Nothing public yet, or their server does not list them.'}</EmptyState>
      ) : (
        <div className="feed profile-feed" aria-label={`Posts by ${name}`}>
          {p.posts.map((n) => <ProfilePost key={n.id} note={n} />)}
        </div>
      )}
      {p.postsNext && (
        <div className="load-more">
          <button type="button" className="btn" disabled={profile.loadingMore} onClick={() => void loadMore()}>
            {profile.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      {profile.moreError && <div className="inline-error small" role="alert"><ErrorText error={profile.moreError} /></div>}
    </div>
  );
}
