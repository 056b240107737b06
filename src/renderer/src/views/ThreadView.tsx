// A post's thread (#/thread/<note id or URI>): the conversation above it, the post itself
// (highlighted, scrolled into view), the reply composer when replying, and the replies,
// indented by depth. Loaded when it opens; refreshed quietly when posts arrive.
import { useEffect, useMemo, useRef } from 'react';
import type { NoteDto } from '../../../shared/dto';
import { Composer } from '../components/Composer';
import { EmptyState, ErrorState, Loading } from '../components/common';
import { Icon } from '../components/Icon';
import { NoteCard } from '../components/NoteCard';
import { useLiveEvents } from '../lib/useLiveEvent';
import { throttle } from '../lib/throttle';
import { safeHref } from '../lib/sanitize';
import { useStore } from '../store';

/** Deepest indentation shown: replies below it line up (Mastodon shows none; Elk a few). */
const MAX_INDENT = 4;
const REFRESH_MIN_MS = 1000;

/** Depth of each reply below the opened post. */
function depths(note: NoteDto, descendants: NoteDto[]): Map<string, number> {
  const byUri = new Map<string, number>([[note.uri, 0]]);
  const out = new Map<string, number>();
  for (const d of descendants) {
    const depth = (d.inReplyTo ? byUri.get(d.inReplyTo) ?? 0 : 0) + 1;
    byUri.set(d.uri, depth);
    out.set(d.id, depth);
  }
  return out;
}

export function ThreadView() {
  const key = useStore((s) => s.routeArg);
  const thread = useStore((s) => s.thread);
  const loadThread = useStore((s) => s.loadThread);
  const replyTo = useStore((s) => s.replyTo);
  const navigate = useStore((s) => s.navigate);
  const focused = useRef<HTMLDivElement>(null);
  const scrolledFor = useRef<string | null>(null);

  useEffect(() => {
    if (key) void loadThread(key);
  }, [key, loadThread]);

  // New posts (replies among them) arrive as timeline events: look again, quietly, at most once a second.
  const refresh = useMemo(() => throttle(() => {
    const t = useStore.getState().thread;
    if (t?.status === 'ready') void useStore.getState().loadThread(t.key, true);
  }, REFRESH_MIN_MS), []);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(['timeline'], () => refresh());

  const data = thread?.key === key ? thread.data : null;
  useEffect(() => {
    if (!data || scrolledFor.current === key) return;
    scrolledFor.current = key;
    // The opened post goes to the top when the conversation above it pushes it down the
    // screen; when it is already in the upper half, the page stays put (header included).
    const el = focused.current;
    if (el && el.getBoundingClientRect().top > window.innerHeight / 2) el.scrollIntoView({ block: 'start' });
    focused.current?.querySelector<HTMLElement>('article.note')?.focus({ preventScroll: true });
  }, [data, key]);

  const back = () => (history.length > 1 ? history.back() : navigate('home'));
  const header = (
    <header className="page-header thread-header">
      <button type="button" className="btn btn-ghost btn-small" onClick={back} aria-label="Back">
        <Icon name="arrowLeft" size={16} /> Back
      </button>
      <h1>Thread</h1>
    </header>
  );

  if (!key) {
    return <div className="page page-narrow">{header}<EmptyState icon="reply" title="No post chosen">Open a post from Home, Notifications or Search.</EmptyState></div>;
  }
  if (!data) {
    return (
      <div className="page page-narrow">
        {header}
        {thread?.key === key && thread.status === 'error'
          ? <ErrorState title="This post is not available" message={thread.error ?? ''} onRetry={() => void loadThread(key)} />
          : <Loading label="Loading the conversation…" />}
      </div>
    );
  }

  const depth = depths(data.note, data.descendants);
  const replyingHere = replyTo && [data.note, ...data.ancestors, ...data.descendants].some((n) => n.id === replyTo.id);
  const missing = data.missingAncestor ? safeHref(data.missingAncestor) : undefined;
  return (
    <div className="page page-narrow">
      {header}
      <section className="feed thread" aria-label="Conversation" aria-busy={thread?.status === 'loading'}>
        {data.missingAncestor && (
          <div className="thread-gap muted small" role="note">
            <Icon name="arrowUp" size={14} /> The conversation goes further up, but an earlier post could not be loaded.
            {missing && <> <a href={missing} target="_blank" rel="noopener noreferrer">Open it on its server <Icon name="external" size={12} /></a></>}
          </div>
        )}
        {data.ancestors.map((n) => <div key={n.id} className="thread-ancestor"><NoteCard note={n} /></div>)}
        <div ref={focused} className="thread-focus">
          <NoteCard note={data.note} focused threadLink={false} />
        </div>
        {replyingHere && <div className="thread-composer"><Composer inThread /></div>}
        {data.descendants.length === 0 && !replyingHere && (
          <p className="muted small thread-end">No replies yet.</p>
        )}
        {data.descendants.map((n) => {
          const indent = Math.min(MAX_INDENT, depth.get(n.id) ?? 1) - 1;
          return (
            <div key={n.id} className={`thread-reply ${indent > 0 ? 'nested' : ''}`} style={{ ['--depth' as string]: indent }}>
              <NoteCard note={n} />
            </div>
          );
        })}
      </section>
    </div>
  );
}
