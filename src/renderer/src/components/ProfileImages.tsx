// Settings → Profile: the avatar and the header image. A picked file is uploaded at once
// (the instance re-encodes it, dropping its metadata) and shown from the instance — the
// window never shows a picture that did not come from it.
import { useId, useRef } from 'react';
import { AVATAR_MAX_BYTES, AVATAR_MEDIA_TYPES, type AvatarMediaType, type SettingsDto } from '../../../shared/dto';
import { formatBytes } from '../lib/format';
import { useAction } from '../lib/useAction';
import { mediaSrc, readAsBase64 } from '../lib/media';
import { useStore } from '../store';
import { Avatar } from './common';

type Which = 'avatar' | 'header';

const TEXT: Record<Which, { label: string; set: string; none: string; remove: string }> = {
  avatar: { label: 'Avatar', set: 'Shown next to your posts everywhere.', none: 'No avatar: servers show a default image.', remove: 'Remove avatar' },
  header: { label: 'Header image', set: 'Shown at the top of your profile.', none: 'No header image.', remove: 'Remove header' },
};

function ImagePicker({ which, s }: { which: Which; s: SettingsDto }) {
  const upload = useStore((st) => st.uploadProfileImage);
  const remove = useStore((st) => st.removeProfileImage);
  const { busy, error, setError, run: act } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const ids = useId();
  const current = which === 'avatar' ? s.avatarSrc : s.headerSrc;
  const text = TEXT[which];

  const run = (fn: () => Promise<unknown>) => act(fn, () => {
    if (input.current) input.current.value = '';
  });
  const choose = (file: File | undefined) => {
    setError(null);
    if (!file) return;
    if (!(AVATAR_MEDIA_TYPES as readonly string[]).includes(file.type)) return setError('Choose a PNG, JPEG, GIF or WebP image.');
    if (file.size > AVATAR_MAX_BYTES) return setError(`That image is ${formatBytes(file.size)}; the limit is ${formatBytes(AVATAR_MAX_BYTES)}.`);
    void run(async () => upload(which, await readAsBase64(file), file.type as AvatarMediaType));
  };

  return (
    <div className="avatar-side">
      <div className="field-label">{text.label}</div>
      <div className="muted small">{busy ? 'Uploading…' : current ? text.set : text.none}</div>
      <div className="row-actions">
        <input ref={input} id={`${ids}-file`} type="file" accept={AVATAR_MEDIA_TYPES.join(',')} className="visually-hidden"
          aria-label={`Choose ${text.label.toLowerCase()}`} onChange={(e) => choose(e.target.files?.[0])} />
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => input.current?.click()}>Choose image…</button>
        {current && <button type="button" className="btn btn-small btn-ghost" disabled={busy} onClick={() => void run(() => remove(which))}>{text.remove}</button>}
      </div>
      {error && <p className="inline-error small" role="alert">{error}</p>}
    </div>
  );
}

export function ProfileImages({ s }: { s: SettingsDto }) {
  const header = mediaSrc(s.headerSrc);
  return (
    <div className="profile-images">
      {header && <div className="profile-header-preview" aria-hidden="true"><img src={header} alt="" /></div>}
      <div className="avatar-editor">
        <Avatar src={s.avatarSrc} name={s.displayName || 'me'} size={72} />
        <ImagePicker which="avatar" s={s} />
        <ImagePicker which="header" s={s} />
      </div>
    </div>
  );
}
