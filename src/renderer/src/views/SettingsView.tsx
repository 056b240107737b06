// Settings: profile and avatar, appearance, follow approval, OS notifications (desktop app),
// delivery caps and retry policy (with the defaults beside each field), the data folder, and the tunnel.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { adminParamSpecs, type FieldSpec, type SettingsUpdate } from '../../../shared/adminApi';
import type { DeliverySettingsDto, SettingsDto } from '../../../shared/dto';
import { ErrorState, Loading, PageHeader, Segmented, Switch } from '../components/common';
import { ProfileEditor } from '../components/ProfileEditor';
import { MediaSection } from '../components/MediaStorage';
import { isDesktop } from '../client';
import { useThemePreference, type ThemePreference } from '../lib/theme';
import { TunnelSection } from '../components/Tunnel';
import { BackupSection } from '../components/Backups';
import { ModerationSection } from '../components/Moderation';
import { AccountSection } from '../components/Account';
import { errorMessage, formatInt } from '../lib/format';
import { bestUnit, DURATION_UNITS, formatDuration, unitMs, type DurationUnit } from '../lib/time';
import { useStore } from '../store';

function Section({ title, description, children, id }: { title: string; description?: ReactNode; children: ReactNode; id: string }) {
  return (
    <section className="card settings-section" aria-labelledby={id}>
      <header className="settings-head">
        <h2 id={id} className="card-title">{title}</h2>
        {description && <p className="muted small">{description}</p>}
      </header>
      {children}
    </section>
  );
}

function SaveRow({ canSave, saving, message, onReset, resetLabel, label = 'Save' }: {
  canSave: boolean; saving: boolean; message: { ok: boolean; text: string } | null; onReset?: () => void; resetLabel?: string; label?: string;
}) {
  return (
    <div className="save-row">
      {message && <span className={message.ok ? 'ok-text small' : 'inline-error small'} role={message.ok ? 'status' : 'alert'}>{message.text}</span>}
      <span className="spacer" />
      {onReset && <button type="button" className="btn btn-ghost" onClick={onReset} disabled={saving}>{resetLabel}</button>}
      <button type="submit" className="btn btn-primary" disabled={!canSave || saving}>{saving ? 'Saving…' : label}</button>
    </div>
  );
}

function SwitchesSection({ s }: { s: SettingsDto }) {
  const save = useStore((st) => st.saveSettings);
  const toast = useStore((st) => st.toast);
  const [busy, setBusy] = useState<string | null>(null);
  const ids = useId();
  const flip = async (key: 'manuallyApprovesFollowers' | 'osNotifications' | 'authorizedFetch', value: boolean) => {
    setBusy(key);
    try {
      await save({ [key]: value });
    } catch (err) {
      toast(`Could not save: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title="Followers and notifications" id={`${ids}-t`}>
      <Switch
        id={`${ids}-approve`}
        label="Approve new followers"
        description="When on, follow requests wait in Notifications until you approve them. When off, anyone can follow you."
        checked={s.manuallyApprovesFollowers}
        disabled={busy !== null}
        onChange={(v) => void flip('manuallyApprovesFollowers', v)}
      />
      {isDesktop && (
        // Only the desktop app can show system notifications: in a browser the switch would do nothing.
        <Switch
          id={`${ids}-os`}
          label="Desktop notifications"
          description="Show a system notification for new followers, mentions and replies."
          checked={s.osNotifications}
          disabled={busy !== null}
          onChange={(v) => void flip('osNotifications', v)}
        />
      )}
      <Switch
        id={`${ids}-af`}
        label="Authorized fetch"
        description="Serve your posts and follower lists to other servers only when they sign their request (as Mastodon's secure mode), so they can be refused to servers you block. Browsers still see your public posts."
        checked={s.authorizedFetch}
        disabled={busy !== null}
        onChange={(v) => void flip('authorizedFetch', v)}
      />
    </Section>
  );
}

function AppearanceSection() {
  const [theme, setTheme] = useThemePreference();
  const ids = useId();
  return (
    <Section title="Appearance" id={`${ids}-t`} description="Light or dark, or as your system is set. Remembered on this computer.">
      <div className="field theme-field" data-testid="theme-switch">
        <span className="field-label" id={`${ids}-theme`}>Theme</span>
        <Segmented<ThemePreference>
          label="Theme"
          value={theme}
          onChange={setTheme}
          options={[{ value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }]}
        />
      </div>
    </Section>
  );
}

type DeliveryKey = keyof DeliverySettingsDto;
interface FieldDef { key: DeliveryKey; label: string; help: string; kind: 'count' | 'duration' }
const DELIVERY_FIELDS: FieldDef[] = [
  { key: 'globalConcurrency', label: 'Deliveries at once', help: 'All servers together.', kind: 'count' },
  { key: 'perHostConcurrency', label: 'Deliveries at once per server', help: 'Keeps you polite to small servers.', kind: 'count' },
  { key: 'attemptTimeoutMs', label: 'Attempt timeout', help: 'Give up on one attempt after this long.', kind: 'duration' },
  { key: 'retryInitialDelayMs', label: 'First retry after', help: 'Then each wait doubles (with jitter).', kind: 'duration' },
  { key: 'retryMaxDelayMs', label: 'Longest wait between retries', help: 'The doubling stops here.', kind: 'duration' },
  { key: 'retryMaxElapsedMs', label: 'Keep retrying for', help: 'After this, a delivery is given up.', kind: 'duration' },
];

interface FieldValue { amount: string; unit: DurationUnit }
const toField = (def: FieldDef, ms: number): FieldValue => (def.kind === 'count' ? { amount: String(ms), unit: 's' } : { amount: String(ms / unitMs(bestUnit(ms))), unit: bestUnit(ms) });
const fromField = (def: FieldDef, v: FieldValue): number => (def.kind === 'count' ? Number(v.amount) : Math.round(Number(v.amount) * unitMs(v.unit)));
const specOf = (key: DeliveryKey) => adminParamSpecs.updateSettings[key] as Extract<FieldSpec, { type: 'integer' }>;
const show = (def: FieldDef, n: number) => (def.kind === 'count' ? formatInt(n) : formatDuration(n));

function validate(def: FieldDef, v: FieldValue): string | null {
  const n = fromField(def, v);
  if (v.amount.trim() === '' || !Number.isFinite(n) || !Number.isInteger(def.kind === 'count' ? Number(v.amount) : n)) return 'Enter a whole number';
  const spec = specOf(def.key);
  if (n < spec.min || n > spec.max) return `Between ${show(def, spec.min)} and ${show(def, spec.max)}`;
  return null;
}

function DeliverySection({ s }: { s: SettingsDto }) {
  const save = useStore((st) => st.saveSettings);
  const initial = () => Object.fromEntries(DELIVERY_FIELDS.map((d) => [d.key, toField(d, s.delivery[d.key])])) as Record<DeliveryKey, FieldValue>;
  const [values, setValues] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const ids = useId();
  // Follow saved values (not every settings reload: a profile save must not drop edits here).
  const savedKey = JSON.stringify(s.delivery);
  useEffect(() => setValues(initial()), [savedKey]); // initial() reads s.delivery, which savedKey stands for

  const errors = Object.fromEntries(DELIVERY_FIELDS.map((d) => [d.key, validate(d, values[d.key])])) as Record<DeliveryKey, string | null>;
  const changed = DELIVERY_FIELDS.filter((d) => !errors[d.key] && fromField(d, values[d.key]) !== s.delivery[d.key]);
  const dirty = DELIVERY_FIELDS.some((d) => fromField(d, values[d.key]) !== s.delivery[d.key] || errors[d.key]);
  const hasErrors = Object.values(errors).some(Boolean);
  const atDefaults = DELIVERY_FIELDS.every((d) => s.delivery[d.key] === s.deliveryDefaults[d.key]);

  const submit = async (update: SettingsUpdate, done: string) => {
    setSaving(true);
    setMessage(null);
    try {
      await save(update);
      setMessage({ ok: true, text: done });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Section
      title="Delivery"
      id={`${ids}-t`}
      description="How hard your instance pushes posts out, and how long it keeps trying when a server does not answer."
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (hasErrors || changed.length === 0) return;
          void submit(Object.fromEntries(changed.map((d) => [d.key, fromField(d, values[d.key])])), 'Delivery settings saved. They apply at once.');
        }}
      >
        <div className="delivery-fields">
          {DELIVERY_FIELDS.map((d) => {
            const v = values[d.key];
            const err = errors[d.key];
            const isDefault = fromField(d, v) === s.deliveryDefaults[d.key];
            const fid = `${ids}-${d.key}`;
            return (
              <div key={d.key} className="delivery-field">
                <label htmlFor={fid} className="field-label">{d.label}</label>
                <div className="field-help muted small">{d.help}</div>
                <div className="field-input">
                  <input
                    id={fid}
                    className={`input input-num ${err ? 'invalid' : ''}`}
                    inputMode="numeric"
                    value={v.amount}
                    aria-invalid={!!err}
                    aria-describedby={`${fid}-default`}
                    onChange={(e) => setValues({ ...values, [d.key]: { ...v, amount: e.target.value } })}
                  />
                  {d.kind === 'duration' ? (
                    <select
                      className="select"
                      aria-label={`${d.label} unit`}
                      value={v.unit}
                      onChange={(e) => {
                        const unit = e.target.value as DurationUnit;
                        const ms = fromField(d, v);
                        const amount = Number.isFinite(ms) ? String(Math.round((ms / unitMs(unit)) * 1000) / 1000) : v.amount;
                        setValues({ ...values, [d.key]: { amount, unit } });
                      }}
                    >
                      {DURATION_UNITS.map((u) => <option key={u.unit} value={u.unit}>{u.label}</option>)}
                    </select>
                  ) : (
                    <span className="unit muted small">at once</span>
                  )}
                </div>
                <div id={`${fid}-default`} className={`field-default small ${err ? 'inline-error' : 'muted'}`}>
                  {err ?? (isDefault ? 'Default' : `Default: ${show(d, s.deliveryDefaults[d.key])}`)}
                </div>
              </div>
            );
          })}
        </div>
        <SaveRow
          canSave={dirty && !hasErrors}
          saving={saving}
          message={message}
          resetLabel={dirty ? 'Discard changes' : 'Reset to defaults'}
          onReset={dirty ? () => { setValues(initial()); setMessage(null); } : atDefaults ? undefined : () => void submit({ ...s.deliveryDefaults }, 'Delivery settings reset to the defaults.')}
        />
      </form>
    </Section>
  );
}

export function SettingsView() {
  const settings = useStore((s) => s.settings);
  const status = useStore((s) => s.status);
  const load = useStore((s) => s.loadSettings);
  const ids = useId();
  useEffect(() => {
    void load();
  }, [load]);
  const s = settings.data;
  return (
    <div className="page page-narrow">
      <PageHeader title="Settings" />
      {settings.status === 'error' && !s ? (
        <ErrorState title="Could not load the settings" message={settings.error ?? ''} onRetry={() => void load()} />
      ) : !s ? (
        <Loading label="Loading settings…" />
      ) : (
        <div className="settings">
          <Section title="Profile" id={`${ids}-profile`} description={<>How other servers show you. Changes are sent to your followers. <a href="#/profile">See your profile</a></>}>
            <ProfileEditor s={s} />
          </Section>
          <AppearanceSection />
          <SwitchesSection s={s} />
          <Section
            title="Account"
            id={`${ids}-account`}
            description="How other servers find and read this account, its aliases, and moving it to another account (say, from a tunnel address to your own domain)."
          >
            <AccountSection s={s} />
          </Section>
          <DeliverySection s={s} />
          <Section title="Data" id={`${ids}-data`} description="Everything your instance knows lives in this folder: the database, your keys and your media.">
            <label className="field">
              <span className="field-label">Data folder</span>
              <input className="input mono" readOnly value={s.dataDir} onFocus={(e) => e.target.select()} />
            </label>
            {status && (
              <dl className="facts facts-inline small">
                <div><dt>Public address</dt><dd className="mono">{status.publicUrl}</dd></div>
                <div><dt>Version</dt><dd>{status.version}</dd></div>
              </dl>
            )}
          </Section>
          <Section
            title="Moderation"
            id={`${ids}-moderation`}
            description="Accounts you block are refused and told; accounts you mute are only hidden from you. Blocking a domain covers its subdomains. Lists move in and out as Mastodon's CSV files."
          >
            <ModerationSection />
          </Section>
          <Section
            title="Media and storage"
            id={`${ids}-storage`}
            description="Pictures and videos are fetched by this instance, not by the window, and kept in a cache in the data folder: remote servers never see you looking."
          >
            <MediaSection />
          </Section>
          <Section
            title="Backups"
            id={`${ids}-backups`}
            description="A copy of the database and your media in the data folder's backups/ folder. To restore: stop Outpost, copy a backup's files back into the data folder, start again."
          >
            <BackupSection />
          </Section>
          <Section
            title="Tunnel"
            id={`${ids}-tunnel`}
            description="Makes this instance reachable from the internet without configuring your router: other servers reach it through a localtunnel server."
          >
            <TunnelSection />
          </Section>
        </div>
      )}
    </div>
  );
}
