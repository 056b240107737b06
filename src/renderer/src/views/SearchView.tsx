// Search (#/search/<query>): one box for @user@server, a profile or post URL, #hashtags and
// words; results grouped as accounts, hashtags and posts. A post found by its URL is stored,
// so it can be replied to, liked and boosted right here.
import { useEffect, useId, useRef, useState } from 'react';
import type { AccountResultDto } from '../../../shared/conversations';
import { Avatar, Badge, EmptyState, ErrorState, Loading, PageHeader } from '../components/common';
import { Icon } from '../components/Icon';
import { NoteCard, profileHref } from '../components/NoteCard';
import { ErrorText } from '../components/ErrorText';
import { atHandle, formatInt, plural } from '../lib/format';
import { routeHash } from '../lib/route';
import { withEmojis } from '../lib/emoji';
import { useStore } from '../store';

function AccountRow({ a }: { a: AccountResultDto }) {
  return (
    <li className="person">
      <a href={profileHref(a.actor)} className="person-link">
        <Avatar src={a.actor.iconSrc} name={a.actor.name || a.actor.handle} size={40} />
        <div className="person-main">
          <div className="person-name" dir="auto">{a.actor.name ? withEmojis(a.actor.name, a.actor.emojis) : a.actor.handle.split('@')[0]}</div>
          <div className="muted small ellipsis">{atHandle(a.actor.handle)}</div>
        </div>
      </a>
      {a.actor.local ? <Badge tone="info">You</Badge> : a.followState === 'accepted' ? <Badge tone="good">Following</Badge>
        : a.followState === 'pending' ? <Badge tone="warn">Requested</Badge> : null}
    </li>
  );
}

export function SearchView() {
  const q = useStore((s) => s.routeArg) ?? '';
  const search = useStore((s) => s.search);
  const runSearch = useStore((s) => s.runSearch);
  const loadMore = useStore((s) => s.loadMoreSearch);
  const navigate = useStore((s) => s.navigate);
  const focusToken = useStore((s) => s.searchFocus);
  const [text, setText] = useState(q);
  const input = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => {
    setText(q);
    if (q !== useStore.getState().search.q || useStore.getState().search.status === 'idle') void runSearch(q);
  }, [q, runSearch]);

  useEffect(() => {
    if (focusToken > 0 || !q) input.current?.focus();
  }, [focusToken, q]);

  const submit = () => {
    const next = text.trim();
    if (next === q) void runSearch(next);
    else navigate('search', next || null);
  };

  const r = search.q === q ? search.result : null;
  const nothing = r && r.accounts.length === 0 && r.notes.length === 0 && r.hashtags.length === 0;
  return (
    <div className="page page-narrow">
      <PageHeader title="Search" subtitle="Accounts, posts by their URL, hashtags, and words in the posts you have." />
      <form className="card search-card" role="search" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label htmlFor={`${ids}-q`} className="visually-hidden">Search</label>
        <div className="input-with-icon">
          <Icon name="search" size={16} />
          <input
            ref={input} id={`${ids}-q`} className="input search-input" type="search" value={text} autoComplete="off" spellCheck={false}
            placeholder="@someone@example.social, a URL, #hashtag or words" maxLength={2048}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
          />
        </div>
        <button type="submit" className="btn btn-primary" disabled={!text.trim() || search.status === 'loading'}>Search</button>
      </form>

      {!q ? (
        <div className="card search-hints muted small">
          <p><strong>@user@server</strong> or a profile URL finds the account. A <strong>post URL</strong> fetches the post, so you can reply to it.</p>
          <p><strong>#hashtag</strong> lists hashtags; anything else searches the words of the posts that reached you.</p>
        </div>
      ) : search.q !== q || search.status === 'loading' ? (
        <Loading label={`Searching for ${q}…`} />
      ) : search.status === 'error' ? (
        <ErrorState title="Search failed" message={search.error ?? ''} onRetry={() => void runSearch(q)} />
      ) : r && (
        <div className="search-results" data-testid="search-results">
          {r.message && (
            <div className="banner banner-info compact" role="status">
              <Icon name="warning" /> <div><ErrorText error={r.message} /></div>
            </div>
          )}
          {nothing && !r.message && <EmptyState icon="search" title={`Nothing found for “${q}”`}>Try other words, or a full handle or URL.</EmptyState>}
          {r.accounts.length > 0 && (
            <section aria-labelledby={`${ids}-accounts`}>
              <h2 id={`${ids}-accounts`} className="section-title">Accounts</h2>
              <ul className="people card">{r.accounts.map((a) => <AccountRow key={a.actor.uri} a={a} />)}</ul>
            </section>
          )}
          {r.hashtags.length > 0 && (
            <section aria-labelledby={`${ids}-tags`}>
              <h2 id={`${ids}-tags`} className="section-title">Hashtags</h2>
              <ul className="tag-list">
                {r.hashtags.map((h) => (
                  <li key={h.name}>
                    <a className="tag-chip" href={routeHash({ view: 'tag', arg: h.name })}>
                      <span className="tag-name">#{h.name}</span> <span className="muted small">{plural(h.count, 'post')}</span>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {r.notes.length > 0 && (
            <section aria-labelledby={`${ids}-posts`}>
              <h2 id={`${ids}-posts`} className="section-title">Posts{r.nextOffset === null ? ` · ${formatInt(r.notes.length)}` : ''}</h2>
              <div className="feed">{r.notes.map((n) => <NoteCard key={n.id} note={n} />)}</div>
              {r.nextOffset !== null && (
                <div className="center-text load-more">
                  <button type="button" className="btn" onClick={() => void loadMore()} disabled={search.loadingMore}>
                    {search.loadingMore ? 'Loading…' : 'More posts'}
                  </button>
                </div>
              )}
            </section>
          )}
        </div>
      )}
    </div>
  );
}
