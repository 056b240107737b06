// Settings → Moderation: blocked accounts, muted accounts and blocked domains, each with
// its undo; a domain to block; and the lists in and out as Mastodon's CSV files.
import { useEffect, useState, type FormEvent } from 'react';
import type { BlockedAccountDto } from '../../../shared/dto';
import { atHandle, errorMessage } from '../lib/format';
import { fullDate } from '../lib/time';
import { useStore } from '../store';
import { ErrorState, Loading } from './common';
import { csvOf, entriesOf, type CsvKind } from '../lib/blocksCsv';

export function ModerationSection() {
  const blocks = useStore((s) => s.blocks);
  const load = useStore((s) => s.loadBlocks);
  const moderate = useStore((s) => s.moderate);
  const blockDomain = useStore((s) => s.blockDomain);
  const unblockDomain = useStore((s) => s.unblockDomain);
  const toast = useStore((s) => s.toast);
  const [domain, setDomain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(what: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function importFile(kind: CsvKind, file: File) {
    const entries = entriesOf(kind, await file.text());
    let done = 0;
    const failed: string[] = [];
    setBusy(true);
    for (const entry of entries) {
      try {
        if (kind === 'domains') await blockDomain(entry);
        else await moderate(kind === 'blocks' ? 'block' : 'mute', entry);
        done++;
      } catch (err) {
        failed.push(`${entry} (${errorMessage(err)})`);
      }
    }
    setBusy(false);
    toast(`Imported ${done} of ${entries.length}${failed.length ? `; not imported: ${failed.slice(0, 3).join(', ')}${failed.length > 3 ? '…' : ''}` : ''}`, failed.length ? 'error' : 'info');
  }

  const submitDomain = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await blockDomain(domain);
      setDomain('');
    });
  };

  if (blocks.status === 'error' && blocks.data.accounts.length + blocks.data.mutes.length + blocks.data.domains.length === 0) {
    return <ErrorState title="Could not load your blocks" message={blocks.error ?? ''} onRetry={() => void load()} />;
  }
  if (blocks.status !== 'ready' && blocks.status !== 'error') return <Loading label="Loading…" />;
  const { accounts, mutes, domains } = blocks.data;
  return (
    <div className="moderation" data-testid="moderation-section">
      <AccountList title="Blocked accounts" kind="blocks" list={accounts} undo="Unblock" busy={busy} onUndo={(a) => void act(() => moderate('unblock', a.actor.uri))} onImport={importFile} />
      <AccountList title="Muted accounts" kind="mutes" list={mutes} undo="Unmute" busy={busy} onUndo={(a) => void act(() => moderate('unmute', a.actor.uri))} onImport={importFile} />
      <div className="moderation-list">
        <ListHead title="Blocked domains" kind="domains" count={domains.length} csv={csvOf('domains', blocks.data)} onImport={importFile} busy={busy} />
        <form className="row-form" onSubmit={submitDomain}>
          <label className="visually-hidden" htmlFor="block-domain">Domain to block</label>
          <input id="block-domain" className="input" placeholder="example.social" value={domain} onChange={(e) => setDomain(e.target.value)} />
          <button type="submit" className="btn" disabled={busy || domain.trim() === ''}>Block domain</button>
        </form>
        {domains.length === 0 ? <p className="muted small">No domain is blocked.</p> : (
          <ul className="plain-list">
            {domains.map((d) => (
              <li key={d.domain}>
                <span className="mono">{d.domain}</span> <span className="muted small">since {fullDate(d.since)}</span>
                <span className="spacer" />
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act(() => unblockDomain(d.domain))}>Unblock</button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && <p className="inline-error small" role="alert">{error}</p>}
    </div>
  );
}

function ListHead({ title, kind, count, csv, onImport, busy }: {
  title: string; kind: CsvKind; count: number; csv: string; onImport: (kind: CsvKind, file: File) => void; busy: boolean;
}) {
  return (
    <div className="list-head">
      <h3 className="small-title">{title} <span className="muted">· {count}</span></h3>
      <span className="spacer" />
      <a className="btn btn-small" download={`${kind === 'blocks' ? 'blocked_accounts' : kind === 'mutes' ? 'muted_accounts' : 'blocked_domains'}.csv`}
        href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}>Export CSV</a>
      <label className="btn btn-small">
        Import CSV
        <input type="file" accept=".csv,text/csv" className="visually-hidden" disabled={busy}
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) onImport(kind, f); }} />
      </label>
    </div>
  );
}

function AccountList({ title, kind, list, undo, busy, onUndo, onImport }: {
  title: string; kind: 'blocks' | 'mutes'; list: BlockedAccountDto[]; undo: string; busy: boolean;
  onUndo: (a: BlockedAccountDto) => void; onImport: (kind: CsvKind, file: File) => void;
}) {
  const blocks = useStore((s) => s.blocks.data);
  return (
    <div className="moderation-list">
      <ListHead title={title} kind={kind} count={list.length} csv={csvOf(kind, blocks)} onImport={onImport} busy={busy} />
      {list.length === 0 ? <p className="muted small">Nobody here.</p> : (
        <ul className="plain-list">
          {list.map((a) => (
            <li key={a.actor.uri}>
              <span>{a.actor.name || atHandle(a.actor.handle)}</span> <span className="muted small">{atHandle(a.actor.handle)}</span>
              <span className="spacer" />
              <button type="button" className="btn btn-small" disabled={busy} onClick={() => onUndo(a)}>{undo}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
