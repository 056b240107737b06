// One post: author, content (content warning collapsed), boost/reply context, actions and,
// for posts composed in this session, the delivery progress bar.
import { memo, useState } from 'react';
import type { ActorSummary, NoteDto, Visibility } from '../../../shared/dto';
import { atHandle } from '../lib/format';
import { routeHash } from '../lib/route';
import { htmlToText, renderNoteHtml, safeHref } from '../lib/sanitize';
import { useStore } from '../store';
import { Avatar, RelativeTime } from './common';
import { DeliveryBar } from './DeliveryBar';
import { NoteMenu, PinButton } from './NoteMenu';
import { Icon, type IconName } from './Icon';
import { Attachments } from './Attachments';
import { withEmojis } from '../lib/emoji';

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
      <Avatar src={author.iconSrc} name={author.name || author.handle} size={40} />
      <div className="note-author">
        <a className="note-name profile-link" dir="auto" title={author.name} href={routeHash({ view: 'profile', arg: author.local ? null : author.handle })}>
          {author.name ? withEmojis(author.name, author.emojis) : author.handle.split('@')[0]}
        </a>
        <span className="note-handle muted" title={atHandle(author.handle)}>{atHandle(author.handle)}</span>
      </div>
      <div className="note-meta muted">
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

export const NoteCard = memo(function NoteCard({ note, boostedBy, compact, actions = !compact }: {
  note: NoteDto; boostedBy?: ActorSummary | null; compact?: boolean; actions?: boolean;
}) {
  const myActor = useStore((s) => s.status?.actor);
  const noteAction = useStore((s) => s.noteAction);
  const deleteNote = useStore((s) => s.deleteNote);
  const startReply = useStore((s) => s.startReply);
  const parent = useStore((s) => (note.inReplyTo ? s.timeline.entries.find((e) => e.note.uri === note.inReplyTo)?.note : undefined));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const mine = note.local && note.author.uri === myActor;
  const canBoost = note.visibility === 'public' || note.visibility === 'unlisted';
  const replyTarget = parent
    ? (parent.author.uri === myActor ? 'you' : atHandle(parent.author.handle))
    // One user per instance: a reply to a post on our own host is a reply to us.
    : note.inReplyTo ? (myActor && hostOf(note.inReplyTo) === hostOf(myActor) ? 'you' : `a post on ${hostOf(note.inReplyTo) ?? 'another server'}`) : null;

  return (
    <article className={`note ${compact ? 'note-compact' : ''}`} data-note-id={note.id} aria-label={`Post by ${note.author.name || note.author.handle}`}>
      {boostedBy && (
        <div className="note-context">
          <Icon name="boost" size={14} /> <span><bdi>{boostedBy.name || atHandle(boostedBy.handle)}</bdi> boosted</span>
        </div>
      )}
      {replyTarget && (
        <div className="note-context">
          <Icon name="reply" size={14} /> <span>Replying to {replyTarget}</span>
        </div>
      )}
      <AuthorLine author={note.author} note={note} />
      <div className="note-body">
        <NoteContent note={note} />
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
            <span className="spacer" />
            {mine && canBoost && <PinButton note={note} />}
            {!mine && note.author.uri !== myActor && <NoteMenu note={note} />}
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
