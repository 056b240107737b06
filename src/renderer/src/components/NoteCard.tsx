// One post: author, content (content warning collapsed), boost/reply context, poll, actions
// and, for the user's posts, the delivery progress bar. A click on the card (not on a link
// or a button) opens its thread; focused, it takes the keys r, f, b, s and Enter.
import { memo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { ActorSummary, NoteDto, Visibility } from '../../../shared/dto';
import { atHandle } from '../lib/format';
import { routeHash } from '../lib/route';
import { htmlToText, renderNoteHtml, safeHref } from '../lib/sanitize';
import { isTyping } from '../lib/keys';
import { useStore } from '../store';
import { Avatar, RelativeTime } from './common';
import { DeliveryBar } from './DeliveryBar';
import { NoteMenu, PinButton } from './NoteMenu';
import { EditedMarker, NoteEditor, PollView } from './NoteExtras';
import { Icon, type IconName } from './Icon';
import { Attachments } from './Attachments';
import { withEmojis } from '../lib/emoji';
import '../conversations.css';

/** Where an account opens in the window: its profile (the user's own at #/profile). */
export const profileHref = (a: Pick<ActorSummary, 'local' | 'handle'>): string => routeHash({ view: 'profile', arg: a.local ? null : a.handle });
export const threadHref = (noteIdOrUri: string): string => routeHash({ view: 'thread', arg: noteIdOrUri });

/** Clicks that belong to something inside the card, not to the card. */
const INTERACTIVE = 'a, button, input, textarea, select, label, summary, video, audio, [role="button"], [role="menu"], [role="dialog"], form';

const VISIBILITY: Record<Visibility, [IconName, string]> = {
  public: ['globe', 'Public'],
  unlisted: ['unlock', 'Unlisted'],
  followers: ['lock', 'Followers only'],
  direct: ['mail', 'Direct: mentioned people only'],
};

export function NoteContent({ note }: { note: NoteDto }) {
  const body = (
    <>
      <div className="note-content" dir="auto">{renderNoteHtml(note.contentHtml, note.emojis)}</div>
      <Attachments note={note} />
    </>
  );
  if (!note.summary) return body;
  return (
    <details className="cw">
      <summary>
        <span className="cw-label">CW</span>
        <span className="cw-text" dir="auto">{withEmojis(note.summary, note.emojis)}</span>
        <span className="cw-toggle" aria-hidden="true" />
      </summary>
      {body}
    </details>
  );
}

function AuthorLine({ author, note }: { author: ActorSummary; note: NoteDto }) {
  const [icon, label] = VISIBILITY[note.visibility];
  const href = safeHref(note.url ?? note.uri);
  return (
    <header className="note-header">
      <a href={profileHref(author)} className="note-avatar-link" tabIndex={-1} aria-hidden="true">
        <Avatar src={author.iconSrc} name={author.name || author.handle} size={40} />
      </a>
      <div className="note-author">
        <a className="note-name profile-link" dir="auto" title={author.name} href={profileHref(author)}>
          {author.name ? withEmojis(author.name, author.emojis) : author.handle.split('@')[0]}
        </a>
        <span className="note-handle muted" title={atHandle(author.handle)}>{atHandle(author.handle)}</span>
      </div>
      <div className="note-meta muted">
        <EditedMarker note={note} />
        <span className="visibility" title={label} aria-label={label}><Icon name={icon} size={14} /></span>
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer" className="note-time"><RelativeTime at={note.publishedAt} className="" /></a>
        ) : (
          <RelativeTime at={note.publishedAt} className="note-time" />
        )}
      </div>
    </header>
  );
}

function ActionButton({ icon, label, count, pressed, onClick, disabled, tone }: {
  icon: IconName; label: string; count?: number; pressed?: boolean; onClick: () => void; disabled?: boolean; tone?: string;
}) {
  return (
    <button
      type="button"
      className={`note-action ${tone ?? ''}`}
      aria-pressed={pressed}
      aria-label={label}
      title={label}
      onClick={onClick}
      disabled={disabled}
    >
      <Icon name={icon} size={17} />
      <span className="tabular">{count !== undefined && count > 0 ? count : ''}</span>
    </button>
  );
}

export const NoteCard = memo(function NoteCard({ note, boostedBy, compact, actions = !compact, focused, threadLink = true }: {
  note: NoteDto; boostedBy?: ActorSummary | null; compact?: boolean; actions?: boolean;
  /** The post a thread was opened for: highlighted. */
  focused?: boolean;
  /** Clicking the card opens its thread (off for the focused post of a thread). */
  threadLink?: boolean;
}) {
  const myActor = useStore((s) => s.status?.actor);
  const noteAction = useStore((s) => s.noteAction);
  const deleteNote = useStore((s) => s.deleteNote);
  const startReply = useStore((s) => s.startReply);
  const toggleBookmark = useStore((s) => s.toggleBookmark);
  const navigate = useStore((s) => s.navigate);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [editing, setEditing] = useState(false);
  const mine = note.local && note.author.uri === myActor;
  const canBoost = note.visibility === 'public' || note.visibility === 'unlisted';
  const parentAuthor = note.inReplyToAuthor;
  const replyTarget = parentAuthor
    ? (parentAuthor.uri === myActor ? 'you' : parentAuthor.name || atHandle(parentAuthor.handle))
    // One user per instance: a reply to a post on our own host is a reply to us.
    : note.inReplyTo ? (myActor && hostOf(note.inReplyTo) === hostOf(myActor) ? 'you' : `a post on ${hostOf(note.inReplyTo) ?? 'another server'}`) : null;

  const openThread = () => navigate('thread', note.id);
  const onClick = (e: MouseEvent<HTMLElement>) => {
    if (!threadLink || editing || e.defaultPrevented || e.button !== 0) return;
    if ((e.target as Element).closest(INTERACTIVE) || window.getSelection()?.toString()) return;
    openThread();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || editing) return;
    // Enter on a link or button inside the card is that control's own; keys inside the post's menu are the menu's.
    if ((e.key === 'Enter' && e.target !== e.currentTarget) || (e.target as Element).closest('[role="menu"], [role="dialog"]')) return;
    const act = ({
      r: () => startReply(note),
      f: () => void noteAction(note, note.likedByMe ? 'unlike' : 'like'),
      b: () => (canBoost || note.boostedByMe) && void noteAction(note, note.boostedByMe ? 'unboost' : 'boost'),
      s: () => void toggleBookmark(note),
      Enter: () => threadLink && openThread(),
      o: () => threadLink && openThread(),
    } as Record<string, () => unknown>)[e.key];
    if (!act) return;
    e.preventDefault();
    e.stopPropagation();
    act();
  };

  return (
    <article
      className={`note ${compact ? 'note-compact' : ''} ${focused ? 'note-focused' : ''} ${threadLink ? 'note-linked' : ''}`}
      data-note-id={note.id} tabIndex={0} onClick={onClick} onKeyDown={onKeyDown}
      aria-label={`Post by ${note.author.name || note.author.handle}`} aria-current={focused ? 'true' : undefined}
    >
      {boostedBy && (
        <div className="note-context">
          <Icon name="boost" size={14} /> <span><a href={profileHref(boostedBy)}><bdi>{boostedBy.name || atHandle(boostedBy.handle)}</bdi></a> boosted</span>
        </div>
      )}
      {replyTarget && (
        <div className="note-context">
          <Icon name="reply" size={14} /> <a href={threadHref(note.inReplyToNoteId ?? note.inReplyTo!)} className="reply-link" title={parentAuthor ? atHandle(parentAuthor.handle) : undefined}>Replying to <span dir="auto">{replyTarget}</span></a>
        </div>
      )}
      <AuthorLine author={note.author} note={note} />
      <div className="note-body">
        {editing ? <NoteEditor note={note} onDone={() => setEditing(false)} /> : <NoteContent note={note} />}
        {note.poll && !editing && <PollView note={note} />}
        {mine && <DeliveryBar noteId={note.id} noteUri={note.uri} />}
        {actions && (
          <footer className="note-actions">
            <ActionButton icon="reply" label="Reply" count={note.replyCount} onClick={() => startReply(note)} />
            <ActionButton
              icon="boost" tone="boost" label={note.boostedByMe ? 'Undo boost' : canBoost ? 'Boost' : 'This post cannot be boosted'}
              count={note.boostCount} pressed={note.boostedByMe} disabled={!canBoost && !note.boostedByMe}
              onClick={() => noteAction(note, note.boostedByMe ? 'unboost' : 'boost')}
            />
            <ActionButton
              icon="heart" tone="like" label={note.likedByMe ? 'Unlike' : 'Like'} count={note.likeCount} pressed={note.likedByMe}
              onClick={() => noteAction(note, note.likedByMe ? 'unlike' : 'like')}
            />
            <ActionButton
              icon="bookmark" tone="bookmark" label={note.bookmarked ? 'Remove bookmark' : 'Bookmark'} pressed={note.bookmarked}
              onClick={() => void toggleBookmark(note)}
            />
            <span className="spacer" />
            {mine && canBoost && <PinButton note={note} />}
            {!mine && note.author.uri !== myActor && <NoteMenu note={note} />}
            {mine && !confirmDelete && !editing && (
              <ActionButton icon="edit" tone="edit" label="Edit" onClick={() => setEditing(true)} />
            )}
            {mine && !confirmDelete && (
              <ActionButton icon="trash" tone="danger" label="Delete" onClick={() => setConfirmDelete(true)} />
            )}
            {mine && confirmDelete && (
              <span className="confirm-inline" role="group" aria-label="Confirm deletion">
                <span className="small">Delete this post everywhere?</span>
                <button type="button" className="btn btn-small" onClick={() => setConfirmDelete(false)}>Cancel</button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => void deleteNote(note.id)}>Delete</button>
              </span>
            )}
          </footer>
        )}
      </div>
    </article>
  );
});

function hostOf(uri: string): string | null {
  try {
    return new URL(uri).host;
  } catch {
    return null;
  }
}

export function noteExcerpt(note: NoteDto, max = 140): string {
  const text = note.summary ? `CW: ${note.summary}` : htmlToText(note.contentHtml);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
