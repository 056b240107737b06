// A post's pictures, video and sound, all from the instance (its uploads or its media
// cache): alt text as `alt`, a blurhash while loading, sensitive media blurred behind a
// click (unless Settings says always show), and "Media unavailable" when the instance
// could not get a file (too big, not a picture, a dead server) — the post shows regardless.
import { useEffect, useRef, useState } from 'react';
import { decode } from 'blurhash';
import type { AttachmentDto, NoteDto } from '../../../shared/dto';
import { mediaSrc } from '../lib/media';
import { safeHref } from '../lib/sanitize';
import { useStore } from '../store';

function BlurhashCanvas({ hash }: { hash: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    try {
      const pixels = decode(hash, 32, 32);
      const image = ctx.createImageData(32, 32);
      image.data.set(pixels);
      ctx.putImageData(image, 0, 0);
    } catch {
      // a malformed hash: no placeholder
    }
  }, [hash]);
  return <canvas ref={canvas} className="media-blurhash" width={32} height={32} aria-hidden="true" />;
}

function Unavailable({ a }: { a: AttachmentDto }) {
  const href = safeHref(a.url);
  return (
    <div className="media-unavailable" role="img" aria-label={`Media unavailable${a.description ? `: ${a.description}` : ''}`}>
      <span>Media unavailable</span>
      {a.description && <span className="small muted ellipsis">{a.description}</span>}
      {href && <a className="small" href={href} target="_blank" rel="noopener noreferrer">Open the original</a>}
    </div>
  );
}

function MediaItem({ a, hidden }: { a: AttachmentDto; hidden: boolean }) {
  const [state, setState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const src = mediaSrc(a.src);
  if (!src || state === 'failed') return <Unavailable a={a} />;
  const fail = () => setState('failed');
  const cls = `media-el ${hidden ? 'media-hidden' : ''}`;
  const label = a.description ?? undefined;
  return (
    <figure className={`media-item media-${a.kind}`} data-state={state}>
      {a.blurhash && a.kind === 'image' && state !== 'loaded' && <BlurhashCanvas hash={a.blurhash} />}
      {a.kind === 'image' && (
        <img className={cls} src={src} alt={a.description ?? ''} title={a.description ?? undefined} loading="lazy" decoding="async"
          width={a.width ?? undefined} height={a.height ?? undefined} onLoad={() => setState('loaded')} onError={fail} />
      )}
      {a.kind === 'video' && (
        <video className={cls} src={src} controls preload="metadata" playsInline aria-label={label ?? 'Video'} title={label}
          onLoadedMetadata={() => setState('loaded')} onError={fail} />
      )}
      {a.kind === 'audio' && (
        <audio className={cls} src={src} controls preload="metadata" aria-label={label ?? 'Audio'} title={label}
          onLoadedMetadata={() => setState('loaded')} onError={fail} />
      )}
    </figure>
  );
}

export function Attachments({ note }: { note: NoteDto }) {
  const alwaysShow = useStore((s) => s.settings.data?.showSensitiveMedia ?? false);
  const [revealed, setRevealed] = useState(false);
  if (note.attachments.length === 0) return null;
  const hidden = note.sensitive && !alwaysShow && !revealed;
  const shown = note.attachments.filter((a) => a.kind !== 'unknown');
  const others = note.attachments.filter((a) => a.kind === 'unknown');
  return (
    <div className="attachments-wrap">
      {shown.length > 0 && (
        <div className={`attachments attachments-${Math.min(shown.length, 4)}`} data-sensitive={note.sensitive} data-hidden={hidden}>
          {shown.slice(0, 4).map((a, i) => <MediaItem key={`${i}-${a.url}`} a={a} hidden={hidden} />)}
          {hidden && (
            <button type="button" className="sensitive-cover" onClick={() => setRevealed(true)}>
              <strong>Sensitive content</strong>
              <span className="small">Click to show</span>
            </button>
          )}
          {note.sensitive && !hidden && !alwaysShow && (
            <button type="button" className="btn btn-small hide-media" onClick={() => setRevealed(false)}>Hide</button>
          )}
        </div>
      )}
      {others.map((a, i) => {
        const href = safeHref(a.url);
        return href ? (
          <a key={i} className="attachment-link small" href={href} target="_blank" rel="noopener noreferrer">
            {a.description ?? href.split('/').pop()}
          </a>
        ) : null;
      })}
    </div>
  );
}
