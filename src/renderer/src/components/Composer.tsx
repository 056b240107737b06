// The composer: text with a live character count, optional content warning, visibility,
// reply context, attachments (drop, paste, picker; alt text; a sensitive switch) or a poll;
// Ctrl/Cmd+Enter sends. A reply adds the author's handle, the content warning and the post's
// reach; cancelling takes them back, and after sending the composer starts afresh at the
// default visibility (as Mastodon), so nothing leaks into the next post.
import { useEffect, useId, useRef, useState } from 'react';
import { NOTE_MAX_CHARS } from '../../../shared/adminApi';
import { VISIBILITIES, type Visibility } from '../../../shared/dto';
import { atHandle, countCharacters, errorMessage } from '../lib/format';
import { applyReply, EMPTY_DRAFT, withdrawReply, type Draft, type ReplyApplied } from '../lib/composeDraft';
import { useStore } from '../store';
import { Avatar } from './common';
import { Icon } from './Icon';
import { noteExcerpt } from './NoteCard';
import { newPollDraft, PollEditor, pollProblem, type PollDraft } from './PollEditor';
import { AttachButton, MediaTray, useComposerMedia } from './ComposerMedia';

const VISIBILITY_LABELS: Record<Visibility, string> = {
  public: 'Public',
  unlisted: 'Unlisted',
  followers: 'Followers',
  direct: 'Mentioned only',
};

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);

function Toggle({ on, set, title, children }: { on: boolean; set: (v: boolean) => void; title: string; children: string }) {
  return (
    <button type="button" className={`btn btn-ghost btn-small ${on ? 'active' : ''}`} aria-pressed={on} onClick={() => set(!on)} title={title}>
      {children}
    </button>
  );
}

export function Composer({ inThread = false }: { inThread?: boolean }) {
  const status = useStore((s) => s.status);
  const settings = useStore((s) => s.settings.data);
  const replyTo = useStore((s) => s.replyTo);
  const focusToken = useStore((s) => s.composerFocus);
  const cancelReply = useStore((s) => s.cancelReply);
  const compose = useStore((s) => s.compose);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [poll, setPoll] = useState<PollDraft | null>(null);
  const [sending, setSending] = useState(false);
  const [sensitive, setSensitive] = useState(false);
  const [dragging, setDragging] = useState(false);
  const media = useComposerMedia();
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // What the current reply put into the draft, to take back if it is cancelled.
  const applied = useRef<{ noteId: string; what: ReplyApplied } | null>(null);
  const ids = useId();
  const { text, cwOpen, cw, visibility } = draft;
  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  useEffect(() => {
    if (focusToken > 0) textarea.current?.focus();
  }, [focusToken]);

  const current = useRef(draft);
  current.current = draft;
  useEffect(() => {
    if (replyTo && applied.current?.noteId === replyTo.id) return;
    let next = applied.current ? withdrawReply(current.current, applied.current.what) : current.current;
    applied.current = null;
    if (replyTo) {
      const r = applyReply(next, replyTo);
      applied.current = { noteId: replyTo.id, what: r.applied };
      next = r.draft;
    }
    setDraft(next);
  }, [replyTo]);

  const count = countCharacters(text);
  const remaining = NOTE_MAX_CHARS - count;
  const cwCount = cwOpen ? countCharacters(cw) : 0;
  const hasMedia = media.items.length > 0;
  const pollIssue = poll ? pollProblem(poll) : null;
  // As Mastodon: media or a poll, not both.
  const mixIssue = poll && hasMedia ? 'A post can carry media or a poll, not both: remove one of them.' : null;
  const canSend = !sending && !media.uploading && (text.trim().length > 0 || (hasMedia && !poll)) && remaining >= 0 && cwCount <= 500
    && !pollIssue && !mixIssue;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      const mediaIds = await media.finalize();
      await compose({
        content: text, visibility, summary: cwOpen && cw.trim() ? cw.trim() : undefined, inReplyTo: replyTo?.id,
        ...(mediaIds.length > 0 ? { mediaIds, sensitive } : {}),
        poll: poll ? { options: poll.options.map((o) => o.trim()), multiple: poll.multiple, expiresInS: poll.expiresInS } : undefined,
      });
      // A fresh start: no reply context, no content warning, the default visibility.
      applied.current = null;
      setDraft(EMPTY_DRAFT);
      setPoll(null);
      setSensitive(false);
      media.clear();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
      textarea.current?.focus();
    }
  };

  const me = status ? { name: settings?.displayName || status.displayName || status.username, src: settings?.avatarSrc ?? null } : null;

  return (
    <form
      className={`composer card ${inThread ? 'composer-inline' : ''} ${dragging ? 'dragging' : ''}`}
      aria-label={replyTo ? 'Reply' : 'New post'}
      data-testid="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        setDragging(false);
        void media.add(Array.from(e.dataTransfer.files), media.items);
      }}
    >
      {replyTo && (
        <div className="reply-context">
          <Icon name="reply" size={14} />
          <div className="reply-text">
            <span>Replying to <strong dir="auto">{replyTo.author.name || atHandle(replyTo.author.handle)}</strong></span>
            <span className="muted small ellipsis">{noteExcerpt(replyTo, 120)}</span>
          </div>
          <button type="button" className="icon-btn" onClick={cancelReply} aria-label="Cancel reply" title="Cancel reply">
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      <div className="composer-main">
        {me && <Avatar src={me.src} name={me.name} size={40} />}
        <div className="composer-fields">
          {cwOpen && (
            <input
              className="input cw-input"
              aria-label="Content warning"
              placeholder="Content warning (shown before the post)"
              value={cw}
              maxLength={600}
              onChange={(e) => change({ cw: e.target.value })}
            />
          )}
          <textarea
            ref={textarea}
            id={`${ids}-text`}
            className="composer-text"
            aria-label="Post text"
            placeholder={replyTo ? 'Write your reply…' : poll ? 'Ask your question…' : "What's on your mind?"}
            value={text}
            rows={3}
            dir="auto"
            onChange={(e) => change({ text: e.target.value })}
            onPaste={(e) => {
              const files = Array.from(e.clipboardData.files);
              if (files.length === 0) return;
              e.preventDefault();
              void media.add(files, media.items);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void send();
              } else if (e.key === 'Escape') {
                e.currentTarget.blur();
              }
            }}
            aria-describedby={`${ids}-count`}
          />
          {poll && <PollEditor poll={poll} onChange={setPoll} problem={pollIssue} />}
        </div>
      </div>
      <MediaTray media={media} />
      {media.error && <p className="inline-error" role="alert">{media.error}</p>}
      {mixIssue && <p className="inline-error" role="alert">{mixIssue}</p>}
      {error && <p className="inline-error" role="alert">{error}</p>}
      <div className="composer-bar">
        <Toggle on={cwOpen} set={(on) => change({ cwOpen: on })} title="Add a content warning">CW</Toggle>
        <AttachButton media={media} />
        {hasMedia && <Toggle on={sensitive} set={setSensitive} title="Blur the media until people click it">Sensitive</Toggle>}
        <button
          type="button"
          className={`btn btn-ghost btn-small ${poll ? 'active' : ''}`}
          aria-pressed={!!poll}
          onClick={() => setPoll(poll ? null : newPollDraft())}
          title={poll ? 'Remove the poll' : hasMedia ? 'A post with media cannot have a poll' : 'Add a poll'}
          aria-label={poll ? 'Remove the poll' : 'Add a poll'}
          disabled={!poll && hasMedia}
        >
          <Icon name="poll" size={16} /> Poll
        </button>
        <label className="visually-hidden" htmlFor={`${ids}-vis`}>Visibility</label>
        <select
          id={`${ids}-vis`}
          className="select select-small"
          value={visibility}
          onChange={(e) => change({ visibility: e.target.value as Visibility })}
          title="Who can see this post"
        >
          {VISIBILITIES.map((v) => <option key={v} value={v}>{VISIBILITY_LABELS[v]}</option>)}
        </select>
        {/* Count and send stay together, at the right end (of a second line when the window is narrow). */}
        <span className="composer-send">
          <span
            id={`${ids}-count`}
            className={`char-count tabular ${remaining < 0 ? 'over' : remaining <= 20 ? 'near' : ''}`}
            title={`${count} of ${NOTE_MAX_CHARS} characters`}
          >
            {remaining}
          </span>
          <button
            type="submit" className="btn btn-primary" disabled={!canSend}
            title={`${replyTo ? 'Reply' : 'Post'} (${isMac ? '⌘' : 'Ctrl'}+Enter)`} aria-keyshortcuts={isMac ? 'Meta+Enter' : 'Control+Enter'}
          >
            {sending ? 'Posting…' : replyTo ? 'Reply' : 'Post'}
          </button>
        </span>
      </div>
    </form>
  );
}
