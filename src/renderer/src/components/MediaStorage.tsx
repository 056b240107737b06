// Settings → Media and storage: the sensitive-media switch, what uploads and the remote
// media cache take on disk (and its cap), and "Clear cache".
import { useEffect, useId, useState } from 'react';
import type { MediaStorageDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage, formatBytes, formatInt } from '../lib/format';
import { useStore } from '../store';
import { useAction } from '../lib/useAction';
import { Switch } from './common';

export function MediaSection() {
  const settings = useStore((s) => s.settings.data);
  const save = useStore((s) => s.saveSettings);
  const [storage, setStorage] = useState<MediaStorageDto | null>(null);
  const { busy, error, setError, run } = useAction();
  const id = useId();

  useEffect(() => {
    api().storage({}).then(setStorage, (err) => setError(errorMessage(err)));
  }, [setError]);

  return (
    <div className="media-storage" data-testid="media-storage">
      <Switch
        id={`${id}-sensitive`}
        checked={settings?.showSensitiveMedia ?? false}
        disabled={busy || !settings}
        onChange={(v) => void run(() => save({ showSensitiveMedia: v }))}
        label="Always show sensitive media"
        description="Otherwise pictures marked sensitive stay blurred until you click them."
      />
      <dl className="facts facts-inline small">
        <div>
          <dt>Your uploads</dt>
          <dd data-testid="uploads-used">{storage ? `${formatBytes(storage.uploads.bytes)} · ${formatInt(storage.uploads.files)} files` : '…'}</dd>
        </div>
        <div>
          <dt>Media cache</dt>
          <dd data-testid="cache-used">{storage ? `${formatBytes(storage.cache.bytes)} of ${formatBytes(storage.cache.capBytes)} · ${formatInt(storage.cache.files)} files` : '…'}</dd>
        </div>
        {storage && (
          <div>
            <dt>Largest upload</dt>
            <dd>pictures {formatBytes(storage.uploadCaps.imageBytes)}, video and sound {formatBytes(storage.uploadCaps.videoBytes)}</dd>
          </div>
        )}
      </dl>
      {error && <p className="inline-error small" role="alert">{error}</p>}
      <div className="save-row">
        <span className="muted small">The least recently shown files leave the cache first when it is full; cleared files are fetched again when shown.</span>
        <span className="spacer" />
        <button type="button" className="btn" disabled={busy || !storage || storage.cache.files === 0}
          onClick={() => void run(async () => setStorage(await api().clearMediaCache({})))}>Clear cache</button>
      </div>
    </div>
  );
}
