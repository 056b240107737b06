// A post's "more" menu for someone else's post — mute or block its author, block its
// domain, report it — and the same menu for an account on its profile. Blocking asks
// first; a report takes an optional comment. And the pin button of one's own posts.
import { useEffect, useRef, useState } from 'react';
import { api } from '../client';
import type { ActorSummary, NoteDto } from '../../../shared/dto';
import { atHandle } from '../lib/format';
import { useStore } from '../store';
import { Icon } from './Icon';

type Step = 'closed' | 'menu' | 'confirm-block' | 'confirm-domain' | 'report';

export function NoteMenu({ note }: { note: NoteDto }) {
  return <AccountMenu account={note.author} noteIds={[note.id]} />;
}

/** The moderation menu for an account; `noteIds` are the posts a report is about. */
export function AccountMenu({ account, noteIds = [], label = 'More' }: { account: ActorSummary; noteIds?: string[]; label?: string }) {
  const moderate = useStore((s) => s.moderate);
  const blockDomain = useStore((s) => s.blockDomain);
  const report = useStore((s) => s.report);
  const toast = useStore((s) => s.toast);
  const [step, setStep] = useState<Step>('closed');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const who = atHandle(account.handle);
  // What a domain block covers: the host without its port.
  const domain = (account.handle.split('@')[1] ?? '').replace(/:\d+$/, '');

  useEffect(() => {
    if (step === 'closed') return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setStep('closed');
    const onClick = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setStep('closed');
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [step]);

  async function run(what: () => Promise<void>, done: string) {
    setBusy(true);
    try {
      await what();
      toast(done, 'info');
      setStep('closed');
      setComment('');
    } catch (err) {
      useStore.getState().toastError('That did not work', err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="note-menu" ref={root}>
      <button
        type="button" className="note-action" aria-label={label} title={label} aria-haspopup="menu" aria-expanded={step !== 'closed'}
        onClick={() => setStep(step === 'closed' ? 'menu' : 'closed')}
      >
        <Icon name="more" size={17} strokeWidth={3} />
      </button>
      {step === 'menu' && (
        <div className="menu" role="menu">
          <button type="button" role="menuitem" onClick={() => void run(() => moderate('mute', account.uri), `${who} is muted`)}>
            <Icon name="mute" size={16} /> <span className="menu-label">Mute {who}</span>
          </button>
          <button type="button" role="menuitem" onClick={() => setStep('confirm-block')}>
            <Icon name="block" size={16} /> <span className="menu-label">Block {who}…</span>
          </button>
          <button type="button" role="menuitem" onClick={() => setStep('confirm-domain')}>
            <Icon name="block" size={16} /> <span className="menu-label">Block {domain}…</span>
          </button>
          <button type="button" role="menuitem" onClick={() => setStep('report')}>
            <Icon name="flag" size={16} /> <span className="menu-label">Report {who}…</span>
          </button>
        </div>
      )}
      {(step === 'confirm-block' || step === 'confirm-domain') && (
        <div className="menu menu-panel" role="dialog" aria-label="Confirm">
          <p className="small">
            {step === 'confirm-block'
              ? <>Block <strong>{who}</strong>? They stop following you, you stop following them, their posts disappear, and their server is told.</>
              : <>Block everything from <strong>{domain}</strong>? Its accounts stop following you, their posts disappear, and nothing is sent there.</>}
          </p>
          <div className="save-row">
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => setStep('closed')}>Cancel</button>
            <button
              type="button" className="btn btn-small btn-danger" disabled={busy}
              onClick={() => void (step === 'confirm-block'
                ? run(() => moderate('block', account.uri), `${who} is blocked`)
                : run(() => blockDomain(domain), `${domain} is blocked`))}
            >
              Block
            </button>
          </div>
        </div>
      )}
      {step === 'report' && (
        <form
          className="menu menu-panel" aria-label={`Report ${who}`}
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => report(account.uri, noteIds, comment), `Report sent to ${domain}`);
          }}
        >
          <label className="field">
            <span className="field-label">Report {noteIds.length ? 'this post' : who} to {domain}</span>
            <textarea className="input" rows={3} maxLength={1000} placeholder="What is wrong with it? (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <div className="save-row">
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => setStep('closed')}>Cancel</button>
            <button type="submit" className="btn btn-small btn-primary" disabled={busy}>Send report</button>
          </div>
        </form>
      )}
    </div>
  );
}

/** Pin one of your own public or unlisted posts to your profile (the featured collection), or unpin it. */
export function PinButton({ note }: { note: NoteDto }) {
  const patchNote = useStore((s) => s.patchNote);
  const toast = useStore((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const label = note.pinned ? 'Unpin from your profile' : 'Pin to your profile';
  async function toggle() {
    setBusy(true);
    try {
      await (note.pinned ? api().unpin({ noteId: note.id }) : api().pin({ noteId: note.id }));
      patchNote(note.id, (n) => ({ ...n, pinned: !note.pinned }));
      toast(note.pinned ? 'Unpinned' : 'Pinned to your profile', 'info');
    } catch (err) {
      useStore.getState().toastError(note.pinned ? 'Could not unpin' : 'Could not pin', err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" className="note-action" aria-pressed={!!note.pinned} aria-label={label} title={label} disabled={busy} onClick={() => void toggle()}>
      <Icon name="pin" size={17} />
    </button>
  );
}
