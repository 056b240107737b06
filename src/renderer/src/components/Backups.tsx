// Settings → Backups: the newest backup (when, how big, where), "Back up now", and the
// database's health (integrity check, disk full) as the instance reports it.
import { useState } from 'react';
import { api } from '../client';
import { errorMessage, formatBytes } from '../lib/format';
import { fullDate } from '../lib/time';
import { useStore } from '../store';

export function BackupSection() {
  const status = useStore((s) => s.status);
  const loadStatus = useStore((s) => s.loadStatus);
  const toast = useStore((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const storage = status?.storage;
  const last = storage?.lastBackup ?? null;

  async function backUp() {
    setBusy(true);
    setError(null);
    try {
      const made = await api().exportBackup({});
      toast(`Backup written to ${made.path}`, 'info');
      await loadStatus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="backup" data-testid="backup-section">
      <dl className="facts facts-inline small">
        <div>
          <dt>Last backup</dt>
          <dd data-testid="last-backup">{last ? `${fullDate(last.at)} · ${formatBytes(last.bytes)}` : 'none yet'}</dd>
        </div>
        <div>
          <dt>Database</dt>
          <dd data-testid="storage-state">{storage ? STATE_LABEL[storage.state] : '…'}</dd>
        </div>
      </dl>
      {last && (
        <label className="field">
          <span className="field-label">Newest backup folder</span>
          <input className="input mono" readOnly value={last.path} onFocus={(e) => e.target.select()} />
        </label>
      )}
      {storage?.message && <p className="inline-error small" role="alert">{storage.message}</p>}
      {error && <p className="inline-error small" role="alert">{error}</p>}
      <div className="save-row">
        <span className="muted small">A backup is also made every day; the newest seven are kept.</span>
        <span className="spacer" />
        <button type="button" className="btn btn-primary" onClick={() => void backUp()} disabled={busy}>{busy ? 'Backing up…' : 'Back up now'}</button>
      </div>
    </div>
  );
}

const STATE_LABEL = { ok: 'healthy', checking: 'checking its integrity…', damaged: 'damaged', full: 'disk full' } as const;
