// People: follow by handle (look up, show the profile, confirm), following and followers.
import { useEffect, useId, useState } from 'react';
import type { FollowDto, FollowState, ProfileLookupDto } from '../../../shared/dto';
import { api } from '../client';
import { Avatar, Badge, EmptyState, ErrorState, Loading, PageHeader, RelativeTime, Segmented, type Tone } from '../components/common';
import { Icon } from '../components/Icon';
import { atHandle, formatInt } from '../lib/format';
import { routeHash } from '../lib/route';
import { RemoveFollowerConfirm, UnfollowConfirm } from '../components/ConfirmDialog';
import { ErrorText } from '../components/ErrorText';
import { renderNoteHtml, safeHref } from '../lib/sanitize';
import { withEmojis } from '../lib/emoji';
import { useStore } from '../store';

const STATE_BADGE: Record<FollowState, [string, Tone]> = {
  pending: ['Pending', 'warn'],
  accepted: ['Accepted', 'good'],
  rejected: ['Rejected', 'bad'],
};

const HANDLE_RE = /^@?[^@\s]+@[^@\s]+\.?[^@\s]*$/;

function FollowForm() {
  const follow = useStore((s) => s.follow);
  const toast = useStore((s) => s.toast);
  const followingList = useStore((s) => s.following);
  const [handle, setHandle] = useState('');
  const [lookup, setLookup] = useState<{ state: 'idle' | 'loading' | 'done' | 'error'; result?: ProfileLookupDto; error?: unknown; handle?: string }>({ state: 'idle' });
  const [following, setFollowing] = useState(false);
  const ids = useId();

  const doLookup = async () => {
    const h = handle.trim();
    // A handle, or a profile URL (the instance resolves both, as search does).
    if (!HANDLE_RE.test(h) && !/^https?:\/\/\S+$/i.test(h)) {
      setLookup({ state: 'error', error: 'Enter a full handle such as @someone@example.social, or a profile URL' });
      return;
    }
    setLookup({ state: 'loading', handle: h });
    try {
      const result = await api().lookup({ handle: h });
      setLookup({ state: 'done', result, handle: h });
    } catch (err) {
      setLookup({ state: 'error', error: err, handle: h });
    }
  };

  const confirm = async () => {
    if (!lookup.result) return;
    setFollowing(true);
    try {
      const res = await follow(lookup.result.actor.handle);
      // The card's state is the store's (following list, updated live as the answer comes):
      // it is not copied here, so it cannot disagree with the list below.
      const who = atHandle(res.actor.handle);
      toast(res.state === 'accepted' ? `You follow ${who}` : lookup.result.locked ? `Follow request sent to ${who}: they approve followers by hand` : `Following ${who}`, 'info');
    } catch (err) {
      setLookup({ ...lookup, state: 'error', error: err });
    } finally {
      setFollowing(false);
    }
  };

  const r = lookup.result;
  const followState = r ? (followingList.data.find((f) => f.actor.uri === r.actor.uri)?.state ?? (followingList.status === 'ready' ? null : r.followState)) : null;
  return (
    <section className="card follow-card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="card-title">Follow someone</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void doLookup();
        }}
      >
        <label htmlFor={`${ids}-handle`} className="visually-hidden">Handle</label>
        <div className="input-with-icon">
          <Icon name="search" size={16} />
          <input
            id={`${ids}-handle`}
            className="input"
            placeholder="@someone@example.social"
            title="A handle such as @someone@example.social, or the URL of a profile"
            value={handle}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setHandle(e.target.value);
              if (lookup.state !== 'loading') setLookup({ state: 'idle' });
            }}
          />
        </div>
        <button type="submit" className="btn" disabled={lookup.state === 'loading' || handle.trim().length < 3}>
          {lookup.state === 'loading' ? 'Looking up…' : 'Look up'}
        </button>
      </form>
      {lookup.state === 'error' && <p className="inline-error" role="alert"><ErrorText error={lookup.error} /></p>}
      {lookup.state === 'loading' && <Loading label={`Looking up ${lookup.handle}…`} />}
      {lookup.state === 'done' && r && (
        <div className="profile-card" data-testid="lookup-result">
          <Avatar src={r.actor.iconSrc} name={r.actor.name || r.actor.handle} size={56} />
          <div className="profile-main">
            <a className="profile-name profile-link" dir="auto" href={routeHash({ view: 'profile', arg: r.actor.handle })}>
              {r.actor.name ? withEmojis(r.actor.name, r.actor.emojis) : r.actor.handle.split('@')[0]}
            </a>
            {r.actor.movedTo && <> <Badge tone="warn" title={`Moved to ${r.actor.movedTo}`}>Moved</Badge></>}
            <div className="muted">{atHandle(r.actor.handle)}</div>
            {r.actor.summaryHtml && <div className="profile-bio">{renderNoteHtml(r.actor.summaryHtml, r.actor.emojis)}</div>}
            <div className="profile-counts small">
              <span><strong className="tabular">{r.followersCount === null ? '—' : formatInt(r.followersCount)}</strong> followers</span>
              <span><strong className="tabular">{r.followingCount === null ? '—' : formatInt(r.followingCount)}</strong> following</span>
              {safeHref(r.actor.url) && (
                <a href={safeHref(r.actor.url)} target="_blank" rel="noopener noreferrer" className="small">
                  Profile <Icon name="external" size={12} />
                </a>
              )}
            </div>
          </div>
          <div className="profile-actions">
            {followState && followState !== 'rejected' ? (
              <Badge tone={STATE_BADGE[followState][1]}>{followState === 'accepted' ? 'Following' : STATE_BADGE[followState][0]}</Badge>
            ) : (
              <>
                <button type="button" className="btn btn-ghost" onClick={() => setLookup({ state: 'idle' })}>Cancel</button>
                <button type="button" className="btn btn-primary" onClick={() => void confirm()} disabled={following}>
                  {following ? 'Following…' : 'Confirm follow'}
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function PersonRow({ f, kind }: { f: FollowDto; kind: 'following' | 'followers' }) {
  const unfollow = useStore((s) => s.unfollow);
  const answer = useStore((s) => s.answerFollower);
  const removeFollower = useStore((s) => s.removeFollower);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const who = atHandle(f.actor.handle);
  const [label, tone] = STATE_BADGE[f.state];
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    await fn();
    setBusy(false);
  };
  return (
    <li className="person" data-handle={f.actor.handle}>
      <Avatar src={f.actor.iconSrc} name={f.actor.name || f.actor.handle} size={40} />
      <div className="person-main">
        <div className="person-name">
          <a className="profile-link" dir="auto" href={routeHash({ view: 'profile', arg: f.actor.handle })}>
            {f.actor.name ? withEmojis(f.actor.name, f.actor.emojis) : f.actor.handle.split('@')[0]}
          </a>
          {f.actor.movedTo && <> <Badge tone="warn" title={`Moved to ${f.actor.movedTo}`}>Moved</Badge></>}
        </div>
        <div className="muted small ellipsis">{atHandle(f.actor.handle)}</div>
      </div>
      <RelativeTime at={f.since} className="muted small nowrap" />
      <Badge tone={tone}>{label}</Badge>
      <div className="row-actions">
        {kind === 'following' && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => setConfirm(true)}>Unfollow</button>
        )}
        {kind === 'followers' && f.state === 'accepted' && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => setConfirm(true)}>Remove</button>
        )}
        {confirm && (kind === 'following' ? (
          <UnfollowConfirm who={who} pending={f.state === 'pending'} busy={busy} onCancel={() => setConfirm(false)}
            onConfirm={() => void run(() => unfollow(f.actor.handle)).then(() => setConfirm(false))} />
        ) : (
          <RemoveFollowerConfirm who={who} busy={busy} onCancel={() => setConfirm(false)}
            onConfirm={() => void run(() => removeFollower(f.actor.uri, who)).then(() => setConfirm(false))} />
        ))}
        {kind === 'followers' && f.state === 'pending' && (
          <>
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => void run(() => answer(f.actor.uri, false))}>Reject</button>
            <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void run(() => answer(f.actor.uri, true))}>Approve</button>
          </>
        )}
      </div>
    </li>
  );
}

export function PeopleView() {
  const [tab, setTab] = useState<'following' | 'followers'>('following');
  const following = useStore((s) => s.following);
  const followers = useStore((s) => s.followers);
  const loadFollowing = useStore((s) => s.loadFollowing);
  const loadFollowers = useStore((s) => s.loadFollowers);
  const list = tab === 'following' ? following : followers;

  useEffect(() => {
    void loadFollowing();
    void loadFollowers();
  }, [loadFollowing, loadFollowers]);

  const reload = tab === 'following' ? loadFollowing : loadFollowers;
  const pendingFollowers = followers.data.filter((f) => f.state === 'pending').length;

  return (
    <div className="page page-narrow">
      <PageHeader title="People" subtitle="Who you follow and who follows you." />
      <FollowForm />
      <div className="list-toolbar">
        <Segmented
          label="List"
          value={tab}
          onChange={setTab}
          options={[
            { value: 'following', label: `Following${following.status === 'ready' ? ` · ${following.data.length}` : ''}` },
            { value: 'followers', label: `Followers${followers.status === 'ready' ? ` · ${followers.data.length}` : ''}${pendingFollowers ? ` (${pendingFollowers} pending)` : ''}` },
          ]}
        />
      </div>
      {list.status === 'loading' || list.status === 'idle' ? (
        <Loading />
      ) : list.status === 'error' ? (
        <ErrorState message={list.error ?? ''} onRetry={() => void reload()} />
      ) : list.data.length === 0 ? (
        tab === 'following'
          ? <EmptyState icon="people" title="You are not following anyone yet">Look someone up by their handle above.</EmptyState>
          : <EmptyState icon="people" title="No followers yet">Share your handle so people can find you.</EmptyState>
      ) : (
        <ul className="people card" aria-label={tab === 'following' ? 'Following' : 'Followers'}>
          {list.data.map((f) => <PersonRow key={f.actor.uri} f={f} kind={tab} />)}
        </ul>
      )}
    </div>
  );
}
