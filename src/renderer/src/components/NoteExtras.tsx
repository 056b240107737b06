// What a post card shows beyond its text: its poll (vote, or the results as bars), the
// "edited" marker with the post's history, and the editor for the user's own posts.
import { useEffect, useId, useRef, useState } from 'react';
import type { NoteDto } from '../../../shared/dto';
import type { NoteVersionDto } from '../../../shared/conversations';
import { NOTE_MAX_CHARS } from '../../../shared/adminApi';
import { api } from '../client';
import { countCharacters, errorMessage, plural } from '../lib/format';
import { fullDate, relativeTime } from '../lib/time';
import { useNow } from '../lib/clock';
import { renderNoteHtml } from '../lib/sanitize';
import { useStore } from '../store';
import { Drawer, ErrorState, Loading } from './common';
import { Icon } from './Icon';

function pollSummary(poll: NonNullable<NoteDto['poll']>, now: number): string {
  const voters = poll.votersCount ?? (poll.multiple ? null : poll.options.reduce((s, o) => s + (o.votes ?? 0), 0));
  const who = voters === null ? null : plural(voters, 'person', 'people');
  const when = poll.closed ? 'Final results' : poll.endsAt ? `Closes ${relativeTime(poll.endsAt, now)}` : null;
  return [who, when].filter(Boolean).join(' · ');
}

export function PollView({ note }: { note: NoteDto }) {
  const poll = note.poll!;
  const vote = useStore((s) => s.vote);
  const now = useNow(30_000);
  const [chosen, setChosen] = useState<number[]>([]);
  const [showResults, setShowResults] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const voted = poll.ownVotes.length > 0;
  const results = poll.own || voted || poll.closed || showResults;
  // Mastodon divides by voters in a multiple-choice poll (the bars then need not add up to 100 %).
  const total = poll.multiple && poll.votersCount ? poll.votersCount : poll.options.reduce((s, o) => s + (o.votes ?? 0), 0);
  const summary = pollSummary(poll, now);

  if (results) {
    return (
      <div className="poll" data-testid="poll" aria-label="Poll results">
        <ul className="poll-results">
          {poll.options.map((o, i) => {
            const pct = o.votes === null || total === 0 ? null : Math.round((o.votes / total) * 100);
            const mine = poll.ownVotes.includes(i);
            return (
              <li key={i} className={`poll-result ${mine ? 'mine' : ''}`}>
                <span className="poll-bar" style={{ width: `${pct ?? 0}%` }} aria-hidden="true" />
                <span className="poll-pct tabular">{pct === null ? '—' : `${pct}%`}</span>
                <span className="poll-title" dir="auto">{o.title}</span>
                {mine && <span className="poll-mine" title="Your vote"><Icon name="check" size={14} /><span className="visually-hidden">(your vote)</span></span>}
                <span className="visually-hidden">{o.votes === null ? '' : `, ${plural(o.votes, 'vote')}`}</span>
              </li>
            );
          })}
        </ul>
        <div className="poll-footer muted small">
          <span>{summary}</span>
          {showResults && !voted && !poll.closed && !poll.own && (
            <button type="button" className="link-btn" onClick={() => setShowResults(false)}>Back to voting</button>
          )}
        </div>
      </div>
    );
  }

  const submit = async () => {
    if (chosen.length === 0 || busy) return;
    setBusy(true);
    await vote(note, chosen);
    setBusy(false);
  };
  const toggle = (i: number) => setChosen(poll.multiple ? (chosen.includes(i) ? chosen.filter((c) => c !== i) : [...chosen, i]) : [i]);
  return (
    <form className="poll" data-testid="poll" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <fieldset className="poll-options">
        <legend className="visually-hidden">{poll.multiple ? 'Choose one or more' : 'Choose one'}</legend>
        {poll.options.map((o, i) => (
          <label key={i} className="poll-option">
            <input type={poll.multiple ? 'checkbox' : 'radio'} name={`${ids}-poll`} checked={chosen.includes(i)} onChange={() => toggle(i)} />
            <span dir="auto">{o.title}</span>
          </label>
        ))}
      </fieldset>
      <div className="poll-footer muted small">
        <button type="submit" className="btn btn-small btn-primary" disabled={chosen.length === 0 || busy}>{busy ? 'Voting…' : 'Vote'}</button>
        <button type="button" className="link-btn" onClick={() => setShowResults(true)}>See results</button>
        <span>{summary}{poll.multiple ? ' · choose one or more' : ''}</span>
      </div>
    </form>
  );
}

function VersionList({ noteId }: { noteId: string }) {
  const [state, setState] = useState<{ versions?: NoteVersionDto[]; error?: string }>({});
  useEffect(() => {
    let live = true;
    api().noteHistory({ noteId }).then((versions) => live && setState({ versions }), (err: unknown) => live && setState({ error: errorMessage(err) }));
    return () => {
      live = false;
    };
  }, [noteId]);
  if (state.error) return <ErrorState title="Could not load the history" message={state.error} />;
  if (!state.versions) return <Loading label="Loading the history…" />;
  const newestFirst = [...state.versions].reverse();
  return (
    <ol className="versions" aria-label="Versions, newest first">
      {newestFirst.map((v, i) => (
        <li key={v.at} className="version">
          <div className="version-head small">
            <strong>{i === 0 ? 'Current version' : i === newestFirst.length - 1 ? 'Original' : 'Earlier version'}</strong>
            <time className="muted" dateTime={new Date(v.at).toISOString()}>{fullDate(v.at)}</time>
          </div>
          {v.summary && <p className="version-cw small"><span className="cw-label">CW</span> {v.summary}</p>}
          <div className="note-content">{renderNoteHtml(v.contentHtml)}</div>
          {v.pollOptions && <ul className="version-poll small">{v.pollOptions.map((o) => <li key={o}>{o}</li>)}</ul>}
        </li>
      ))}
    </ol>
  );
}

/** "edited 3 min ago": opens the post's versions. */
export function EditedMarker({ note }: { note: NoteDto }) {
  const [open, setOpen] = useState(false);
  const labelId = useId();
  const now = useNow(60_000);
  if (!note.editedAt) return null;
  return (
    <>
      <button type="button" className="link-btn note-edited" title={`Edited ${fullDate(note.editedAt)}: show the history`} onClick={() => setOpen(true)}>
        edited {relativeTime(note.editedAt, now)}
      </button>
      {open && (
        <Drawer title="Edit history" subtitle="Every version of this post, newest first" labelId={labelId} onClose={() => setOpen(false)}>
          <VersionList noteId={note.id} />
        </Drawer>
      )}
    </>
  );
}

/** Editable text for an own post: what was typed, or (for older posts) the text read back from its HTML. */
function sourceOf(note: NoteDto): string {
  if (note.source !== null) return note.source;
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${note.contentHtml}`, 'text/html');
  for (const a of Array.from(doc.body.querySelectorAll('a.mention:not(.hashtag)'))) {
    const short = (a.textContent ?? '').trim();
    const full = note.mentions.find((m) => m.toLowerCase().startsWith(`${short.toLowerCase()}@`));
    if (full) a.textContent = full;
  }
  for (const br of Array.from(doc.body.querySelectorAll('br'))) br.replaceWith('\n');
  const paragraphs = Array.from(doc.body.querySelectorAll('p'));
  return (paragraphs.length ? paragraphs.map((p) => p.textContent ?? '').join('\n\n') : doc.body.textContent ?? '').trim();
}

export function NoteEditor({ note, onDone }: { note: NoteDto; onDone: () => void }) {
  const editNote = useStore((s) => s.editNote);
  const toast = useStore((s) => s.toast);
  const [text, setText] = useState(() => sourceOf(note));
  const [cw, setCw] = useState(note.summary ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  useEffect(() => {
    box.current?.focus();
    box.current?.setSelectionRange(box.current.value.length, box.current.value.length);
  }, []);
  const remaining = NOTE_MAX_CHARS - countCharacters(text);
  const canSave = !busy && text.trim().length > 0 && remaining >= 0 && countCharacters(cw) <= 500;
  const save = async () => {
    if (!canSave) return;
    setBusy(true);
    setError(null);
    try {
      await editNote(note, text, cw);
      toast('Post edited: the change is on its way to everyone who got the post', 'info');
      onDone();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <form className="note-editor" aria-label="Edit post" onSubmit={(e) => { e.preventDefault(); void save(); }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onDone();
        }
      }}>
      <input className="input cw-input" aria-label="Content warning" placeholder="Content warning (optional)" value={cw} maxLength={600} onChange={(e) => setCw(e.target.value)} />
      <textarea
        ref={box} className="composer-text" aria-label="Post text" value={text} rows={4} aria-describedby={`${ids}-count`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void save();
          }
        }}
      />
      {error && <p className="inline-error" role="alert">{error}</p>}
      <div className="save-row">
        <span className="muted small">Everyone who got the post gets the new version; the old one stays in its history.</span>
        <span className="spacer" />
        <span id={`${ids}-count`} className={`char-count tabular ${remaining < 0 ? 'over' : remaining <= 20 ? 'near' : ''}`}>{remaining}</span>
        <button type="button" className="btn btn-small" onClick={onDone}>Cancel</button>
        <button type="submit" className="btn btn-small btn-primary" disabled={!canSave}>{busy ? 'Saving…' : 'Save'}</button>
      </div>
    </form>
  );
}
