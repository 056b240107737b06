// The composer's attachments: up to 4 pictures or one video or sound, added by drag and
// drop, paste or the file picker. Each file is uploaded at once (the instance checks its
// bytes, strips its metadata and answers with a clear error), previewed from the instance,
// and gets an alt-text field with a gentle reminder while it is empty.
import { useCallback, useId, useRef, useState } from 'react';
import { MEDIA_DESCRIPTION_MAX_CHARS, MEDIA_UPLOAD_MAX_BYTES, MEDIA_UPLOAD_TYPES, type MediaUploadType, type UploadedMediaDto } from '../../../shared/dto';
import { api } from '../client';
import { errorMessage, formatBytes } from '../lib/format';
import { mediaSrc, readAsBase64 } from '../lib/media';
import { Icon } from './Icon';

export const MAX_PICTURES = 4;

export interface DraftMedia {
  key: string;
  name: string;
  kind: 'image' | 'video' | 'audio';
  status: 'uploading' | 'ready';
  upload?: UploadedMediaDto;
  description: string;
}

const kindOfType = (type: string): DraftMedia['kind'] => (type.startsWith('video/') ? 'video' : type.startsWith('audio/') ? 'audio' : 'image');
let counter = 0;

export function useComposerMedia() {
  const [items, setItems] = useState<DraftMedia[]>([]);
  const [error, setError] = useState<string | null>(null);
  const update = (key: string, patch: Partial<DraftMedia>) => setItems((list) => list.map((m) => (m.key === key ? { ...m, ...patch } : m)));

  const add = useCallback(async (files: File[], current: DraftMedia[]) => {
    setError(null);
    if (files.length === 0) return;
    const refused = files.find((f) => !(MEDIA_UPLOAD_TYPES as readonly string[]).includes(f.type));
    if (refused) return setError(`${refused.name}: ${refused.type || 'this type'} cannot be attached. Pictures (JPEG, PNG, WebP, GIF), MP4/WebM/MOV video and MP3/Ogg/WAV/FLAC/M4A sound can.`);
    const tooBig = files.find((f) => f.size > MEDIA_UPLOAD_MAX_BYTES);
    if (tooBig) return setError(`${tooBig.name} is ${formatBytes(tooBig.size)}; the limit is ${formatBytes(MEDIA_UPLOAD_MAX_BYTES)}.`);
    const all = [...current.map((m) => m.kind), ...files.map((f) => kindOfType(f.type))];
    const moving = all.filter((k) => k !== 'image').length;
    if (moving > 0 && all.length > 1) return setError('A post carries one video or sound, or up to 4 pictures.');
    if (all.length > MAX_PICTURES) return setError(`A post carries at most ${MAX_PICTURES} pictures.`);
    const fresh: DraftMedia[] = files.map((f) => ({ key: `m${++counter}`, name: f.name, kind: kindOfType(f.type), status: 'uploading', description: '' }));
    setItems((list) => [...list, ...fresh]);
    await Promise.all(files.map(async (file, i) => {
      const key = fresh[i]!.key;
      try {
        const upload = await api().uploadMedia({ data: await readAsBase64(file), mediaType: file.type as MediaUploadType });
        update(key, { status: 'ready', upload });
      } catch (err) {
        setItems((list) => list.filter((m) => m.key !== key));
        setError(`${file.name}: ${errorMessage(err)}`);
      }
    }));
  }, []);

  /** Alt text typed after the upload goes to the instance before posting. */
  const finalize = async (): Promise<string[]> => {
    const ready = items.filter((m) => m.upload);
    await Promise.all(ready.map(async (m) => {
      if ((m.upload!.description ?? '') !== m.description.trim()) await api().describeMedia({ mediaId: m.upload!.mediaId, description: m.description });
    }));
    return ready.map((m) => m.upload!.mediaId);
  };

  return {
    items, error, setError, add, finalize, update,
    remove: (key: string) => setItems((list) => list.filter((m) => m.key !== key)),
    clear: () => setItems([]),
    uploading: items.some((m) => m.status === 'uploading'),
  };
}

export type ComposerMedia = ReturnType<typeof useComposerMedia>;

/** The "attach" button and its hidden file picker. */
export function AttachButton({ media }: { media: ComposerMedia }) {
  const input = useRef<HTMLInputElement>(null);
  const full = media.items.length >= MAX_PICTURES || media.items.some((m) => m.kind !== 'image');
  return (
    <>
      <input ref={input} type="file" multiple accept={MEDIA_UPLOAD_TYPES.join(',')} className="visually-hidden" aria-label="Attach pictures, video or sound"
        data-testid="attach-input" onChange={(e) => {
          void media.add(Array.from(e.target.files ?? []), media.items);
          e.target.value = '';
        }} />
      <button type="button" className="btn btn-ghost btn-small" onClick={() => input.current?.click()} disabled={full}
        title="Attach pictures (up to 4), a video or a sound — or drop or paste them" aria-label="Attach media">
        <Icon name="image" size={16} /> Media
      </button>
    </>
  );
}

/** Previews with alt-text fields and remove buttons. */
export function MediaTray({ media }: { media: ComposerMedia }) {
  const ids = useId();
  if (media.items.length === 0) return null;
  return (
    <ul className="media-tray" aria-label="Attachments">
      {media.items.map((m, i) => {
        const src = mediaSrc(m.upload?.src);
        return (
          <li key={m.key} className="media-draft" data-status={m.status}>
            <div className="media-draft-preview">
              {m.status === 'uploading' && <span className="small muted">Uploading…</span>}
              {src && m.kind === 'image' && <img src={src} alt={m.description || m.name} />}
              {src && m.kind === 'video' && <video src={src} muted preload="metadata" aria-label={m.name} />}
              {src && m.kind === 'audio' && <span className="small">♪ {m.name}</span>}
              <button type="button" className="icon-btn media-remove" onClick={() => media.remove(m.key)} aria-label={`Remove ${m.name}`} title="Remove">
                <Icon name="close" size={14} />
              </button>
            </div>
            <label className="visually-hidden" htmlFor={`${ids}-alt-${i}`}>Description of {m.name}</label>
            <textarea id={`${ids}-alt-${i}`} className="input media-alt" rows={2} maxLength={MEDIA_DESCRIPTION_MAX_CHARS}
              placeholder="Describe this for people who can't see it" value={m.description}
              onChange={(e) => media.update(m.key, { description: e.target.value })} />
            {!m.description.trim() && m.kind !== 'audio' && (
              <span className="alt-reminder small" role="note">No description yet: people using screen readers will miss this.</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
