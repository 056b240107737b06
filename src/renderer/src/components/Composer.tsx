// The composer: text with a live character count, optional content warning, visibility,
// reply context, attachments (drop, paste, picker; alt text; a sensitive switch);
// Ctrl/Cmd+Enter sends.
import { useEffect, useId, useRef, useState } from 'react';
import { NOTE_MAX_CHARS } from '../../../shared/adminApi';
import { VISIBILITIES, type Visibility } from '../../../shared/dto';
import { atHandle, countCharacters, errorMessage } from '../lib/format';
import { useStore } from '../store';
import { Avatar } from './common';
import { Icon } from './Icon';
import { noteExcerpt } from './NoteCard';
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

export function Composer() {
  const status = useStore((s) => s.status);
  const settings = useStore((s) => s.settings.data);
  const replyTo = useStore((s) => s.replyTo);
  const focusToken = useStore((s) => s.composerFocus);
  const cancelReply = useStore((s) => s.cancelReply);
  const compose = useStore((s) => s.compose);
  const [text, setText] = useState('');
  const [cwOpen, setCwOpen] = useState(false);
  const [cw, setCw] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [sending, setSending] = useState(false);
  const [sensitive, setSensitive] = useState(false);
  const [dragging, setDragging] = useState(false);
  const media = useComposerMedia();
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const ids = useId();

  useEffect(() => {
    if (focusToken > 0) textarea.current?.focus();
  }, [focusToken]);

  useEffect(() => {
    if (!replyTo) return;
    // A reply starts with the author's handle and keeps the parent's reach at most.
    const mention = `${atHandle(replyTo.author.handle)} `;
    if (!replyTo.author.local) setText((t) => (t.startsWith(mention) ? t : mention + t));
    if (replyTo.summary) {
      setCwOpen(true);
      setCw((c) => c || (/^re: /i.test(replyTo.summary!) ? replyTo.summary! : `re: ${replyTo.summary}`));
    }
    const order = VISIBILITIES as readonly Visibility[];
    setVisibility((v) => (order.indexOf(replyTo.visibility) > order.indexOf(v) ? replyTo.visibility : v));
  }, [replyTo]);

  const count = countCharacters(text);
  const remaining = NOTE_MAX_CHARS - count;
  const cwCount = cwOpen ? countCharacters(cw) : 0;
  const hasMedia = media.items.length > 0;
  const canSend = !sending && !media.uploading && (text.trim().length > 0 || hasMedia) && remaining >= 0 && cwCount <= 500;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      const mediaIds = await media.finalize();
      await compose({
        content: text, visibility, summary: cwOpen && cw.trim() ? cw.trim() : undefined, inReplyTo: replyTo?.id,
        ...(mediaIds.length > 0 ? { mediaIds, sensitive } : {}),
      });
      setText('');
      setCw('');
      setCwOpen(false);
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
      className={`composer card ${dragging ? 'dragging' : ''}`}
      aria-label="New post"
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
            <span>Replying to <strong>{replyTo.author.name || atHandle(replyTo.author.handle)}</strong></span>
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
              onChange={(e) => setCw(e.target.value)}
            />
          )}
          <textarea
            ref={textarea}
            id={`${ids}-text`}
            className="composer-text"
            aria-label="Post text"
            placeholder={replyTo ? 'Write your reply…' : "What's on your mind?"}
            value={text}
            rows={3}
            onChange={(e) => setText(e.target.value)}
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
              }
            }}
            aria-describedby={`${ids}-count`}
          />
        </div>
      </div>
      <MediaTray media={media} />
      {media.error && <p className="inline-error" role="alert">{media.error}</p>}
      {error && <p className="inline-error" role="alert">{error}</p>}
      <div className="composer-bar">
        <Toggle on={cwOpen} set={setCwOpen} title="Add a content warning">CW</Toggle>
        <AttachButton media={media} />
        {hasMedia && <Toggle on={sensitive} set={setSensitive} title="Blur the media until people click it">Sensitive</Toggle>}
        <label className="visually-hidden" htmlFor={`${ids}-vis`}>Visibility</label>
        <select
          id={`${ids}-vis`}
          className="select select-small"
          value={visibility}
          onChange={(e) => setVisibility(e.target.value as Visibility)}
          title="Who can see this post"
        >
          {VISIBILITIES.map((v) => <option key={v} value={v}>{VISIBILITY_LABELS[v]}</option>)}
        </select>
        <span className="spacer" />
        <span
          id={`${ids}-count`}
          className={`char-count tabular ${remaining < 0 ? 'over' : remaining <= 20 ? 'near' : ''}`}
          title={`${count} of ${NOTE_MAX_CHARS} characters`}
        >
          {remaining}
        </span>
        <span className="muted small kbd-hint">{isMac ? '⌘' : 'Ctrl'}+Enter</span>
        <button type="submit" className="btn btn-primary" disabled={!canSend}>
          {sending ? 'Posting…' : replyTo ? 'Reply' : 'Post'}
        </button>
      </div>
    </form>
  );
}
