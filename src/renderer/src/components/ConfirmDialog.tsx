// A question before something that cannot be taken back (unfollow, remove a follower): a
// modal alert dialog; Escape or Cancel keeps things as they are, and focus starts on Cancel.
import { useId, useRef, type ReactNode } from 'react';
import { useDialogFocus } from '../lib/useDialogFocus';

export function ConfirmDialog({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: {
  title: string; children?: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onCancel: () => void;
}) {
  const ids = useId();
  const panel = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useDialogFocus(panel, onCancel, cancel);
  return (
    <div className="dialog-layer">
      <div className="drawer-backdrop" onClick={onCancel} aria-hidden="true" />
      <div className="dialog card" ref={panel} role="alertdialog" aria-modal="true" aria-labelledby={`${ids}-t`} aria-describedby={`${ids}-d`}>
        <h2 id={`${ids}-t`} className="card-title">{title}</h2>
        <div id={`${ids}-d`} className="muted">{children}</div>
        <div className="save-row">
          <span className="spacer" />
          <button ref={cancel} type="button" className="btn" onClick={onCancel}>Cancel</button>
          <button type="button" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        </div>
      </div>
    </div>
  );
}

interface Answer { who: string; busy?: boolean; onCancel: () => void; onConfirm: () => void }

/** "Unfollow @x?" (or, while the follow waits for an answer, "Withdraw your request?"). */
export function UnfollowConfirm({ who, pending, ...rest }: Answer & { pending?: boolean }) {
  return (
    <ConfirmDialog title={pending ? `Withdraw your follow request to ${who}?` : `Unfollow ${who}?`} confirmLabel={pending ? 'Withdraw' : 'Unfollow'} danger {...rest}>
      Their new posts stop coming to your Home. You can follow them again at any time.
    </ConfirmDialog>
  );
}

/** "Remove @x from your followers?" */
export function RemoveFollowerConfirm({ who, ...rest }: Answer) {
  return (
    <ConfirmDialog title={`Remove ${who} from your followers?`} confirmLabel="Remove follower" danger {...rest}>
      Their server is told (a Reject of their follow), and your new posts stop going to them. They can follow you again.
    </ConfirmDialog>
  );
}
