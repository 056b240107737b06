// Small building blocks shared by the views.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useNow } from '../lib/clock';
import { fullDate, relativeTime } from '../lib/time';
import { useDialogFocus } from '../lib/useDialogFocus';
import { mediaSrc } from '../lib/media';
import { Icon, type IconName } from './Icon';

/** A stable hue per name, for avatar fallbacks. */
function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

function initialOf(name: string): string {
  const first = [...name.replace(/^[@:]+/, '').trim()][0];
  return (first ?? '?').toUpperCase();
}

/**
 * An avatar from the instance (`src` is a media path: our upload, or the remote media
 * cache), whatever the scheme of the public URL — the window never loads a remote picture.
 */
export function Avatar({ src: path, name, size = 40 }: { src: string | null | undefined; name: string; size?: number }) {
  const src = mediaSrc(path);
  const [state, setState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    setState('loading');
    // An image that failed before React listened for it: complete, but with no pixels.
    const el = img.current;
    if (el?.complete) setState(el.naturalWidth > 0 ? 'loaded' : 'failed');
  }, [src]);
  const style = { width: size, height: size, fontSize: Math.round(size * 0.42) };
  // The initials stay underneath until the picture has loaded: no broken-image icon, no jump.
  return (
    <span className="avatar avatar-fallback" aria-hidden="true" style={{ ...style, ['--avatar-hue' as string]: hueOf(name) }}>
      {state !== 'loaded' && initialOf(name)}
      {src && state !== 'failed' && (
        <img
          ref={img}
          className={`avatar-img ${state === 'loaded' ? 'loaded' : ''}`}
          src={src}
          alt=""
          referrerPolicy="no-referrer"
          onLoad={() => setState('loaded')}
          onError={() => setState('failed')}
        />
      )}
    </span>
  );
}

export function RelativeTime({ at, className }: { at: number; className?: string }) {
  const now = useNow(60_000);
  return (
    <time className={className ?? 'muted'} dateTime={new Date(at).toISOString()} title={fullDate(at)}>
      {relativeTime(at, now)}
    </time>
  );
}

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'info' | 'muted';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return <span className={`badge badge-${tone}`} title={title}>{children}</span>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ message, onRetry, title = 'Something went wrong' }: { message: string; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      <Icon name="warning" size={28} />
      <strong>{title}</strong>
      <p>{message}</p>
      {onRetry && <button type="button" className="btn" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function EmptyState({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <span className="state-icon"><Icon name={icon} size={28} /></span>
      <strong>{title}</strong>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/**
 * A side panel over the view: Escape or the close button closes it, focus moves into it on
 * open and back to where it was on close, and Tab stays inside while it is open.
 */
export function Drawer({ title, subtitle, onClose, children, labelId }: {
  title: ReactNode; subtitle?: ReactNode; onClose: () => void; children: ReactNode; labelId: string;
}) {
  const panel = useRef<HTMLDivElement>(null);
  useDialogFocus(panel, onClose);
  return (
    <div className="drawer-layer">
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <div className="drawer" role="dialog" aria-modal="true" aria-labelledby={labelId} ref={panel} tabIndex={-1}>
        <header className="drawer-header">
          <div className="drawer-title">
            <h2 id={labelId}>{title}</h2>
            {subtitle && <div className="muted">{subtitle}</div>}
          </div>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close" title="Close (Esc)">
            <Icon name="close" />
          </button>
        </header>
        <div className="drawer-body">{children}</div>
      </div>
    </div>
  );
}

export function Segmented<T extends string>({ value, options, onChange, label }: {
  value: T; options: { value: T; label: string }[]; onChange: (v: T) => void; label: string;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} className={o.value === value ? 'active' : ''} onClick={() => onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function Switch({ checked, onChange, label, description, disabled, id }: {
  checked: boolean; onChange: (v: boolean) => void; label: string; description?: ReactNode; disabled?: boolean; id: string;
}) {
  return (
    <div className="switch-row">
      <div>
        <label htmlFor={id} className="field-label">{label}</label>
        {description && <div className="muted small" id={`${id}-desc`}>{description}</div>}
      </div>
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-describedby={description ? `${id}-desc` : undefined}
        className="switch"
        disabled={disabled}
        onClick={() => onChange(!checked)}
      >
        <span className="switch-thumb" />
      </button>
    </div>
  );
}
