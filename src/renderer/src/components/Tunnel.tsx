// The tunnel in the window: its state in words (Settings and the sidebar footer), the
// Settings section with the server and subdomain, start/stop, the public URL and the
// reachability check, and the identity problem when the URL is not this instance's.
import { useEffect, useId, useRef, useState } from 'react';
import type { ReachabilityDto, TunnelState, TunnelStatusDto } from '../../../shared/dto';
import { DEFAULT_TUNNEL_SERVER } from '../../../shared/constants';
import { useNow } from '../lib/clock';
import { errorMessage, formatInt } from '../lib/format';
import { fullDate, relativeTime } from '../lib/time';
import { useStore } from '../store';
import { Badge, ErrorState, Loading } from './common';
import { Icon } from './Icon';

/** localtunnel's public server (what the instance uses unless told otherwise). */

/** As the instance checks them (tunnelService / tunnelClient). */
const HOST_RE = /^https?:\/\/[^/]+\/?$/i;
const SUBDOMAIN_RE = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/;

const running = (s: TunnelState) => s.status === 'connecting' || s.status === 'online' || s.status === 'reconnecting';

/** The sidebar's one word on the tunnel. */
function footerSummary(t: TunnelStatusDto): { label: string; tone: 'good' | 'warn' | 'muted' | 'info'; title: string } {
  const s = t.state;
  if (t.identityProblem) return { label: 'Tunnel problem', tone: 'warn', title: `Federation is paused: the tunnel came up at ${t.identityProblem.got}, not at ${t.identityProblem.pinned}` };
  switch (s.status) {
    case 'off': return { label: 'Tunnel offline', tone: 'muted', title: 'The tunnel is off' };
    case 'connecting': return { label: 'Tunnel connecting…', tone: 'info', title: `Connecting to ${t.host} (attempt ${s.attempt})` };
    case 'online':
      return t.reachability && !t.reachability.reachable
        ? { label: 'Tunnel problem', tone: 'warn', title: `Online at ${s.url}, but not reachable from the internet: ${t.reachability.error ?? 'no answer'}` }
        : { label: 'Tunnel online', tone: 'good', title: `Online at ${s.url}` };
    case 'reconnecting': return { label: 'Tunnel problem', tone: 'warn', title: `Reconnecting: ${s.lastError}` };
    case 'error': return { label: 'Tunnel problem', tone: 'warn', title: s.reason };
  }
}

/** A small badge for the sidebar footer; a link to the tunnel settings. */
export function TunnelFooterPill() {
  const t = useStore((s) => s.tunnel.data);
  if (!t) return null;
  const { label, tone, title } = footerSummary(t);
  return (
    <a href="#/settings" className={`pill pill-${tone} pill-link footer-tunnel`} title={title} data-testid="tunnel-footer" data-state={t.state.status}>
      {label}
    </a>
  );
}

/** "reconnecting in 4 s (attempt 3, connection refused)", ticking every second. */
function ReconnectingText({ state }: { state: Extract<TunnelState, { status: 'reconnecting' }> }) {
  const now = useNow(1000);
  const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
  return (
    <>
      <Badge tone="warn">{seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'}</Badge>
      <span className="muted small">(attempt {state.attempt}, {state.lastError})</span>
    </>
  );
}

function StateLine({ t }: { t: TunnelStatusDto }) {
  const s = t.state;
  let body;
  switch (s.status) {
    case 'off':
      body = <Badge tone="muted">Off</Badge>;
      break;
    case 'connecting':
      body = (
        <>
          <Badge tone="info">Connecting…</Badge>
          {s.attempt > 1 && <span className="muted small">attempt {s.attempt}</span>}
        </>
      );
      break;
    case 'online':
      body = (
        <>
          <Badge tone={t.identityProblem ? 'warn' : 'good'}>Online</Badge>
          <span className="muted small">since <time dateTime={new Date(s.since).toISOString()}>{fullDate(s.since)}</time></span>
        </>
      );
      break;
    case 'reconnecting':
      body = <ReconnectingText state={s} />;
      break;
    case 'error':
      body = (
        <>
          <Badge tone="bad">Error</Badge>
          <span className="inline-error small">{s.reason}</span>
        </>
      );
      break;
  }
  // Announced once per change (the countdown beside it ticks without a live region).
  const spoken = { off: 'Tunnel off', connecting: 'Tunnel connecting', online: 'Tunnel online', reconnecting: 'Tunnel reconnecting', error: 'Tunnel error' }[s.status];
  return (
    <div className="tunnel-state" data-testid="tunnel-state" data-state={s.status}>
      <span className="field-label">State</span>
      {body}
      <span className="visually-hidden" role="status">{spoken}</span>
    </div>
  );
}

function ReachabilityLine({ r }: { r: ReachabilityDto | null }) {
  const now = useNow(60_000);
  if (!r) return <p className="muted small" data-testid="tunnel-reachability">Reachable from the internet: checking…</p>;
  const checked = (
    <time dateTime={new Date(r.checkedAt).toISOString()} title={fullDate(r.checkedAt)}>last checked {relativeTime(r.checkedAt, now)}</time>
  );
  return (
    <p className="small" data-testid="tunnel-reachability">
      Reachable from the internet: {r.reachable ? <strong className="ok-text">yes</strong> : <strong className="inline-error">no</strong>}
      <span className="muted"> · {checked}{r.reachable && r.latencyMs !== null && ` · ${formatInt(r.latencyMs)} ms`}</span>
      {!r.reachable && r.error && <span className="inline-error"> · {r.error}</span>}
    </p>
  );
}

/** The tunnel's URL, read-only, with Copy (the clipboard, else the text selected for Ctrl+C). */
function PublicUrl({ url, id }: { url: string; id: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 4000);
    return () => clearTimeout(timer);
  }, [copied]);
  useEffect(() => setCopied(null), [url]);
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      input.current?.focus();
      input.current?.select();
      setCopied('select');
    }
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>Tunnel URL</label>
      <div className="copy-row">
        <input ref={input} id={id} className="input mono" readOnly value={url} data-testid="tunnel-url" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" onClick={() => void copy()}>{copied === 'yes' ? 'Copied' : 'Copy'}</button>
      </div>
      <span className="muted small" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'select' ? 'Could not reach the clipboard: the address is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </span>
    </div>
  );
}

function TunnelForm({ t }: { t: TunnelStatusDto }) {
  const start = useStore((s) => s.startTunnel);
  const stop = useStore((s) => s.stopTunnel);
  const busy = useStore((s) => s.tunnelBusy);
  const [host, setHost] = useState(t.host);
  const [subdomain, setSubdomain] = useState(t.subdomain ?? '');
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  // Follow what the instance uses (after a start with new fields, or a change elsewhere).
  useEffect(() => setHost(t.host), [t.host]);
  useEffect(() => setSubdomain(t.subdomain ?? ''), [t.subdomain]);

  const h = host.trim();
  const sub = subdomain.trim();
  const hostError = h === '' ? 'Enter the tunnel server’s address, such as https://localtunnel.me.'
    : !HOST_RE.test(h) || h.length < 8 ? 'An http(s) address with no path, such as https://tunnel.example.com.' : null;
  const subError = sub !== '' && !SUBDOMAIN_RE.test(sub) ? '4 to 63 lowercase letters, digits or dashes (not first or last).' : null;
  const invalid = !!hostError || !!subError;
  const isRunning = running(t.state);
  const dirty = h.replace(/\/$/, '') !== t.host || (sub !== '' && sub !== (t.subdomain ?? ''));

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const submit = () => {
    if (invalid || busy) return;
    void run(() => start({ host: h, ...(sub ? { subdomain: sub } : {}) }));
  };

  const retryLabel = dirty ? 'Reconnect with these settings' : sub ? 'Retry for my subdomain' : 'Reconnect now';
  const showRetry = isRunning && (dirty || !!t.identityProblem || t.state.status === 'reconnecting');

  return (
    <form className="form-grid" onSubmit={(e) => { e.preventDefault(); submit(); }} aria-label="Tunnel settings">
      <div className="tunnel-fields">
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-host`}>Tunnel server</label>
          <input
            id={`${ids}-host`}
            className={`input mono ${hostError ? 'invalid' : ''}`}
            type="url"
            inputMode="url"
            spellCheck={false}
            autoComplete="off"
            maxLength={300}
            value={host}
            placeholder={DEFAULT_TUNNEL_SERVER}
            aria-invalid={!!hostError}
            aria-describedby={`${ids}-host-help`}
            onChange={(e) => setHost(e.target.value)}
          />
          <span id={`${ids}-host-help`} className={`small ${hostError ? 'inline-error' : 'muted'}`}>
            {hostError ?? (h.replace(/\/$/, '') === DEFAULT_TUNNEL_SERVER ? 'The public localtunnel server.' : `Default: ${DEFAULT_TUNNEL_SERVER}`)}
          </span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-sub`}>Subdomain</label>
          <input
            id={`${ids}-sub`}
            className={`input mono ${subError ? 'invalid' : ''}`}
            spellCheck={false}
            autoComplete="off"
            maxLength={63}
            value={subdomain}
            placeholder="any"
            aria-invalid={!!subError}
            aria-describedby={`${ids}-sub-help`}
            onChange={(e) => setSubdomain(e.target.value)}
          />
          <span id={`${ids}-sub-help`} className={`small ${subError ? 'inline-error' : 'muted'}`}>
            {subError ?? (t.subdomain ? 'Leave empty to ask for the last one again.' : 'The name to ask for; empty: the server picks one.')}
          </span>
        </div>
      </div>
      <div className="save-row">
        {error && <span className="inline-error small" role="alert">{error}</span>}
        <span className="spacer" />
        {isRunning ? (
          <>
            {showRetry && (
              <button type="submit" className="btn" disabled={invalid || busy !== null}>
                {busy === 'start' ? 'Connecting…' : retryLabel}
              </button>
            )}
            <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void run(stop)}>
              {busy === 'stop' ? 'Stopping…' : 'Stop'}
            </button>
          </>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={invalid || busy !== null}>
            {busy === 'start' ? 'Starting…' : t.state.status === 'error' ? 'Start again' : 'Start'}
          </button>
        )}
      </div>
    </form>
  );
}

export function TunnelSection() {
  const tunnel = useStore((s) => s.tunnel);
  const load = useStore((s) => s.loadTunnel);
  const ids = useId();
  const t = tunnel.data;
  if (!t) {
    return tunnel.status === 'error'
      ? <ErrorState title="Could not load the tunnel’s state" message={tunnel.error ?? ''} onRetry={() => void load()} />
      : <Loading label="Loading the tunnel…" />;
  }
  const online = t.state.status === 'online' ? t.state : null;
  return (
    <div className="tunnel" data-testid="tunnel-section">
      <StateLine t={t} />
      {t.identityProblem && (
        <div className="banner banner-warn" role="alert" data-testid="tunnel-identity-problem">
          <Icon name="alert" />
          <div>
            <strong>The tunnel is not at your address.</strong>{' '}
            {t.identityProblem.message}
          </div>
        </div>
      )}
      {online && <PublicUrl url={online.url} id={`${ids}-url`} />}
      {online && !t.identityProblem && <ReachabilityLine r={t.reachability} />}
      <TunnelForm t={t} />
      <div className="tunnel-notes muted small">
        <p>The public localtunnel server shows a reminder page to browsers opening your URL; remote servers are not affected.</p>
        <p>For a permanent address run your own localtunnel server on a domain you own and set it as the tunnel server.</p>
      </div>
    </div>
  );
}
