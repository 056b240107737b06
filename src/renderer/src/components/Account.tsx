// Settings → Account: how other servers find and read this account (discoverable,
// indexable, the signature spec it speaks first), its aliases (so followers can move here
// from an old account), and moving it to another account, with a confirmation that says
// what happens. A moved account shows a banner saying where it went.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { AliasesDto, SettingsDto } from '../../../shared/dto';
import { SIGNATURE_SPEC_LABELS, SIGNATURE_SPECS, type SignatureSpecName } from '../../../shared/federation';
import { api } from '../client';
import { atHandle, errorMessage } from '../lib/format';
import { fullDate } from '../lib/time';
import { useStore } from '../store';
import { Avatar, ErrorState, Loading, Switch } from './common';

export function MovedBanner({ aliases }: { aliases: AliasesDto | null }) {
  if (!aliases?.movedTo) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="moved-banner">
      <div>
        <strong>This account has moved to {atHandle(aliases.movedTo.handle)}</strong>
        {aliases.movedAt && <span className="muted small"> on {fullDate(aliases.movedAt)}</span>}
        <p className="small">Your followers' servers were told and follow the new account. This one keeps serving your old posts.</p>
      </div>
    </div>
  );
}

export function AccountSection({ s }: { s: SettingsDto }) {
  const save = useStore((st) => st.saveSettings);
  const toast = useStore((st) => st.toast);
  const handle = useStore((st) => st.status?.handle ?? '');
  const [aliases, setAliases] = useState<AliasesDto | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [alias, setAlias] = useState('');
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();

  const load = () => api().aliases({}).then(setAliases, (err: unknown) => setLoadError(errorMessage(err)));
  useEffect(() => {
    void load();
  }, []);

  async function act(what: string, fn: () => Promise<AliasesDto>, done: string) {
    setBusy(what);
    setError(null);
    try {
      setAliases(await fn());
      toast(done, 'info');
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(null);
    }
  }

  async function flip(update: Partial<Pick<SettingsDto, 'discoverable' | 'indexable' | 'signatureSpec'>>) {
    setBusy('settings');
    try {
      await save(update);
    } catch (err) {
      toast(`Could not save: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  }

  const addAlias = async (e: FormEvent) => {
    e.preventDefault();
    if (await act('alias', () => api().addAlias({ handle: alias.trim() }), `${alias.trim()} is now an alias`)) setAlias('');
  };
  const move = async () => {
    if (await act('move', () => api().moveAccount({ target: target.trim() }), `Moved to ${target.trim()}`)) {
      setConfirming(false);
      setTarget('');
    }
  };

  if (loadError) return <ErrorState message={loadError} onRetry={() => void load()} />;
  if (!aliases) return <Loading />;
  return (
    <div className="account-settings">
      <MovedBanner aliases={aliases} />
      <Switch
        id={`${ids}-disc`} label="Discoverable"
        description="List this account in other servers' profile directories and follow suggestions."
        checked={s.discoverable ?? true} disabled={busy !== null} onChange={(v) => void flip({ discoverable: v })}
      />
      <Switch
        id={`${ids}-idx`} label="Searchable posts"
        description="Let other servers index your public posts for full-text search (Mastodon's default is off)."
        checked={s.indexable ?? false} disabled={busy !== null} onChange={(v) => void flip({ indexable: v })}
      />
      <label className="field">
        <span className="field-label">HTTP signatures to try first</span>
        <select
          className="input" value={s.signatureSpec ?? 'rfc9421'} disabled={busy !== null}
          onChange={(e) => void flip({ signatureSpec: e.target.value as SignatureSpecName })}
        >
          {SIGNATURE_SPECS.map((spec) => <option key={spec} value={spec}>{SIGNATURE_SPEC_LABELS[spec]}</option>)}
        </select>
        <span className="muted small">For servers Outpost has not talked to yet. A server that refuses it gets the other at once, and is remembered (see Hosts).</span>
      </label>

      <h3 className="subhead" id={`${ids}-aliases`}>Aliases</h3>
      <p className="muted small">
        Moving here from another account? Add it as an alias first: that account's move is only accepted by its followers' servers when this one names it.
      </p>
      {aliases.aliases.length === 0 ? <p className="muted small">No aliases.</p> : (
        <ul className="plain-list" aria-labelledby={`${ids}-aliases`}>
          {aliases.aliases.map((a) => (
            <li key={a.uri} className="list-row">
              <Avatar src={a.iconSrc} name={a.name || a.handle} size={28} />
              <span className="grow"><strong>{a.name}</strong> <span className="muted small">{atHandle(a.handle)}</span></span>
              <button
                type="button" className="btn btn-small" disabled={busy !== null}
                onClick={() => void act('remove', () => api().removeAlias({ handle: a.uri }), `${atHandle(a.handle)} is no longer an alias`)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(e) => void addAlias(e)}>
        <label className="field grow">
          <span className="field-label">Add an alias</span>
          <input className="input" placeholder="@you@old.example" value={alias} onChange={(e) => setAlias(e.target.value)} maxLength={512} />
        </label>
        <button type="submit" className="btn" disabled={busy !== null || alias.trim().length < 3}>{busy === 'alias' ? 'Adding…' : 'Add'}</button>
      </form>

      <h3 className="subhead">Move to another account</h3>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); setConfirming(true); }}>
        <label className="field grow">
          <span className="field-label">New account</span>
          <input
            className="input" placeholder="@you@your-domain.example" value={target} maxLength={512}
            onChange={(e) => { setTarget(e.target.value); setConfirming(false); }}
          />
        </label>
        <button type="submit" className="btn btn-danger" disabled={busy !== null || target.trim().length < 3}>Move…</button>
      </form>
      {confirming && (
        <div className="menu-panel confirm-panel" role="dialog" aria-label="Confirm the move">
          <p className="small">
            Move <strong>{atHandle(handle)}</strong> to <strong>{target.trim()}</strong>? The new account must already list this one as an alias.
            Then every follower's server is told, and follows the new account instead. This account shows as moved and keeps serving your old posts;
            your posts and the accounts you follow do not move. Keep this instance reachable until your followers have moved.
          </p>
          <div className="save-row">
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>Cancel</button>
            <button type="button" className="btn btn-small btn-danger" disabled={busy !== null} onClick={() => void move()}>
              {busy === 'move' ? 'Moving…' : 'Move my followers'}
            </button>
          </div>
        </div>
      )}
      {error && <p className="inline-error small" role="alert">{error}</p>}
    </div>
  );
}
