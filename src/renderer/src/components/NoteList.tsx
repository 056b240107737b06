// A paged list of posts (a hashtag timeline, the bookmarks): loading, errors, an empty
// state, and the next page when the end comes near.
import { useEffect, useRef, type ReactNode } from 'react';
import type { NoteList as NoteListState } from '../store/conversations';
import { useScrollContainer } from '../lib/scroll';
import { ErrorState, Loading } from './common';
import { NoteCard } from './NoteCard';

export function NoteList({ list, label, empty, onRetry, onMore }: {
  list: NoteListState; label: string; empty: ReactNode; onRetry: () => void; onMore: () => void;
}) {
  const scroller = useScrollContainer();
  const sentinel = useRef<HTMLDivElement>(null);
  const more = useRef(onMore);
  more.current = onMore;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !scroller) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) more.current();
    }, { root: scroller, rootMargin: '0px 0px 800px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [scroller, list.status, list.next]);

  return (
    <section className="feed" aria-label={label} aria-busy={list.status === 'loading'}>
      {list.status === 'loading' || list.status === 'idle' ? (
        <Loading />
      ) : list.status === 'error' ? (
        <ErrorState message={list.error ?? ''} onRetry={onRetry} />
      ) : list.entries.length === 0 ? (
        empty
      ) : (
        list.entries.map((e) => <NoteCard key={e.cursor} note={e.note} />)
      )}
      <div ref={sentinel} className="feed-end">
        {list.loadingMore && <Loading label="Loading more…" />}
      </div>
    </section>
  );
}
