// Home: the composer and the timeline, with infinite scroll and live arrivals.
import { useEffect, useRef } from 'react';
import { Composer } from '../components/Composer';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/common';
import { Icon } from '../components/Icon';
import { NoteCard } from '../components/NoteCard';
import { plural } from '../lib/format';
import { useScrollContainer } from '../lib/scroll';
import { useStore } from '../store';

/** Scrolled less than this from the top counts as "at the top": new posts appear in place. */
const TOP_SLACK_PX = 80;

export function HomeView() {
  const timeline = useStore((s) => s.timeline);
  const loadTimeline = useStore((s) => s.loadTimeline);
  const refreshTimeline = useStore((s) => s.refreshTimeline);
  const loadMore = useStore((s) => s.loadMoreTimeline);
  const setAtTop = useStore((s) => s.setTimelineAtTop);
  const revealPending = useStore((s) => s.revealPending);
  const scroller = useScrollContainer();
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const s = useStore.getState();
    if (s.timeline.status === 'idle' || s.timeline.status === 'error') void loadTimeline();
    else void refreshTimeline();
  }, [loadTimeline, refreshTimeline]);

  // Track whether the reader is at the top (new posts then appear in place).
  useEffect(() => {
    if (!scroller) return;
    const onScroll = () => setAtTop(scroller.scrollTop < TOP_SLACK_PX);
    onScroll();
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      scroller.removeEventListener('scroll', onScroll);
      setAtTop(true);
    };
  }, [scroller, setAtTop]);

  // Infinite scroll: load the next page when the end comes near.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !scroller) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { root: scroller, rootMargin: '0px 0px 800px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [scroller, loadMore, timeline.status, timeline.next]);

  const showNew = () => {
    revealPending();
    scroller?.scrollTo({ top: 0, behavior: 'smooth' });
  };

  return (
    <div className="page page-narrow">
      <PageHeader title="Home" subtitle="Posts from people you follow, and your own." />
      <Composer />
      <div className="new-posts-anchor" aria-live="polite">
        {timeline.pending.length > 0 && (
          <button type="button" className="new-posts-pill" onClick={showNew}>
            <Icon name="arrowUp" size={14} /> {timeline.gap ? 'New posts' : plural(timeline.pending.length, 'new post')}
          </button>
        )}
      </div>
      <section className="feed" aria-label="Home timeline" aria-busy={timeline.status === 'loading'}>
        {timeline.status === 'loading' || timeline.status === 'idle' ? (
          <Loading label="Loading your timeline…" />
        ) : timeline.status === 'error' ? (
          <ErrorState title="Could not load the timeline" message={timeline.error ?? ''} onRetry={() => void loadTimeline()} />
        ) : timeline.entries.length === 0 ? (
          <EmptyState icon="home" title="Your timeline is empty">
            Write your first post above, or follow people from <strong>People</strong> to see their posts here.
          </EmptyState>
        ) : (
          timeline.entries.map((e) => <NoteCard key={e.cursor} note={e.note} boostedBy={e.boostedBy} />)
        )}
        <div ref={sentinel} className="feed-end">
          {timeline.loadingMore && <Loading label="Loading older posts…" />}
          {timeline.moreError && (
            <div className="state state-inline" role="alert">
              <span>Could not load older posts: {timeline.moreError}</span>
              <button type="button" className="btn btn-small" onClick={() => void loadMore()}>Retry</button>
            </div>
          )}
          {timeline.status === 'ready' && !timeline.next && timeline.entries.length > 0 && (
            <p className="muted small center-text">You have reached the beginning.</p>
          )}
        </div>
      </section>
    </div>
  );
}
