// A question before something that cannot be taken back (unfollow, remove a follower): a
// modal alert dialog; Escape or Cancel keeps things as they are, and focus starts on Cancel.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function ConfirmDialog({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: {
  title: string; children?: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onCancel: () => void;
}) {
  const ids = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const onCancelRef = useRef(onCancel);
  onCancelRef.current = onCancel;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onCancelRef.current();
      } else if (e.key === 'Tab') {
        // Two buttons: Tab moves between them and never leaves the dialog.
        e.preventDefault();
        (document.activeElement === cancel.current ? confirm.current : cancel.current)?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (previous && document.contains(previous)) previous.focus();
    };
  }, []);
  return (
    <div className="dialog-layer">
      <div className="drawer-backdrop" onClick={onCancel} aria-hidden="true" />
      <div className="dialog card" role="alertdialog" aria-modal="true" aria-labelledby={`${ids}-t`} aria-describedby={`${ids}-d`}>
        <h2 id={`${ids}-t`} className="card-title">{title}</h2>
        <div id={`${ids}-d`} className="muted">{children}</div>
        <div className="save-row">
          <span className="spacer" />
          <button ref={cancel} type="button" className="btn" onClick={onCancel}>Cancel</button>
          <button ref={confirm} type="button" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        </div>
      </div>
    </div>
  );
}
