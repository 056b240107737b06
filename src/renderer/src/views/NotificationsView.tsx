// Notifications: follows and follow requests (approve/reject), mentions, replies, and likes
// and boosts grouped per post.
import { useEffect, useState, type ReactNode } from 'react';
import type { FollowDto, NotificationDto, NotificationType } from '../../../shared/dto';
import { Avatar, Badge, EmptyState, ErrorState, Loading, PageHeader, RelativeTime } from '../components/common';
import { Icon, type IconName } from '../components/Icon';
import { NoteCard, noteExcerpt, threadHref } from '../components/NoteCard';
import { atHandle } from '../lib/format';
import { routeHash } from '../lib/route';
import { useStore } from '../store';

const ICONS: Record<NotificationType, IconName> = {
  follow: 'user', follow_request: 'lock', mention: 'at', reply: 'reply', direct: 'mail', like: 'heart', boost: 'boost', move: 'people',
};

/** The actor (a link to their profile; the name kept in its own direction) and how many others. */
function who(n: NotificationDto): ReactNode {
  const first = <a className="profile-link" dir="auto" href={routeHash({ view: 'profile', arg: n.actor.handle })}>{n.actor.name || atHandle(n.actor.handle)}</a>;
  if (n.count <= 1) return first;
  const others = n.count - 1;
  return <>{first} and {others} {others === 1 ? 'other' : 'others'}</>;
}

function FollowRequestActions({ n, follower }: { n: NotificationDto; follower: FollowDto | undefined }) {
  const answer = useStore((s) => s.answerFollower);
  const known = useStore((s) => s.followers.status === 'ready');
  if (!known) return null;
  if (follower?.state === 'accepted') return <Badge tone="good">Approved</Badge>;
  if (!follower || follower.state === 'rejected') return <Badge tone="muted">{follower ? 'Rejected' : 'No longer pending'}</Badge>;
  return (
    <div className="row-actions">
      <button type="button" className="btn btn-small" onClick={() => void answer(n.actor.uri, false)}>Reject</button>
      <button type="button" className="btn btn-small btn-primary" onClick={() => void answer(n.actor.uri, true)}>Approve</button>
    </div>
  );
}

function NotificationItem({ n, unread, followers }: { n: NotificationDto; unread: boolean; followers: FollowDto[] }) {
  const title = (() => {
    switch (n.type) {
      case 'follow': return <><strong>{who(n)}</strong> followed you</>;
      case 'follow_request': return <><strong>{who(n)}</strong> asked to follow you</>;
      case 'mention': return <><strong>{who(n)}</strong> mentioned you</>;
      case 'reply': return <><strong>{who(n)}</strong> replied to your post</>;
      case 'direct': return <><strong>{who(n)}</strong> sent you a direct message</>;
      case 'like': return <><strong>{who(n)}</strong> liked your post</>;
      case 'boost': return <><strong>{who(n)}</strong> boosted your post</>;
      case 'move': return <><strong>{who(n)}</strong> moved to <strong>{n.target ? atHandle(n.target.handle) : 'another account'}</strong></>;
    }
  })();
  const showsNote = n.note && (n.type === 'mention' || n.type === 'reply' || n.type === 'direct');
  const follower = followers.find((f) => f.actor.uri === n.actor.uri);
  return (
    <li className={`notification ${unread ? 'unread' : ''}`} data-type={n.type}>
      <span className={`notification-icon type-${n.type}`}><Icon name={ICONS[n.type]} size={18} /></span>
      <div className="notification-body">
        <div className="notification-head">
          <div className="avatar-stack" aria-hidden="true">
            {n.actors.slice(0, 5).map((a) => <Avatar key={a.uri} src={a.iconSrc} name={a.name || a.handle} size={28} />)}
          </div>
          <div className="notification-title">{title}</div>
          <RelativeTime at={n.at} className="muted small nowrap" />
        </div>
        {(n.type === 'follow' || n.type === 'follow_request') && (
          <div className="notification-follow">
            <span className="muted small">{atHandle(n.actor.handle)}</span>
            {n.type === 'follow_request' && <FollowRequestActions n={n} follower={follower} />}
          </div>
        )}
        {n.type === 'move' && (
          <p className="muted small">You now follow {n.target ? atHandle(n.target.handle) : 'the new account'} instead of {atHandle(n.actor.handle)}.</p>
        )}
        {showsNote && n.note && <div className="notification-note"><NoteCard note={n.note} compact actions /></div>}
        {(n.type === 'like' || n.type === 'boost') && n.note && (
          <a className="quote small quote-link" href={threadHref(n.note.id)} title="Open the post's thread">{noteExcerpt(n.note)}</a>
        )}
      </div>
    </li>
  );
}

export function NotificationsView() {
  const n = useStore((s) => s.notifications);
  // Highlight what was new when the view opened, while the sidebar badge clears at once.
  const [seenAt] = useState(() => useStore.getState().notificationsSeenAt);
  const followers = useStore((s) => s.followers.data);
  const load = useStore((s) => s.loadNotifications);
  const loadMore = useStore((s) => s.loadMoreNotifications);
  const markSeen = useStore((s) => s.markNotificationsSeen);
  const loadFollowers = useStore((s) => s.loadFollowers);

  useEffect(() => {
    void load();
    void loadFollowers();
  }, [load, loadFollowers]);

  // What is shown while the view is open counts as seen (when leaving, too).
  useEffect(() => {
    if (n.status === 'ready') markSeen();
  }, [n.items, n.status, markSeen]);

  return (
    <div className="page page-narrow">
      <PageHeader title="Notifications" subtitle="Follows, replies, mentions, direct messages, likes and boosts." />
      {n.status === 'loading' || n.status === 'idle' ? (
        <Loading label="Loading notifications…" />
      ) : n.status === 'error' ? (
        <ErrorState title="Could not load notifications" message={n.error ?? ''} onRetry={() => void load()} />
      ) : n.items.length === 0 ? (
        <EmptyState icon="bell" title="No notifications yet">
          When someone follows you, mentions you or reacts to your posts, it shows up here.
        </EmptyState>
      ) : (
        <>
          <ul className="notifications card" aria-label="Notifications">
            {n.items.map((x) => <NotificationItem key={x.id} n={x} unread={x.at > seenAt} followers={followers} />)}
          </ul>
          {n.next && (
            <div className="center-text load-more">
              <button type="button" className="btn" onClick={() => void loadMore()} disabled={n.loadingMore}>
                {n.loadingMore ? 'Loading…' : 'Load older notifications'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
