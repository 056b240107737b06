// The owner's profile editor — avatar and header (ProfileImages), display name, bio and up
// to four profile fields — used on the own profile and in Settings → Profile. Each save sends Update(Person) to
// the followers (the instance does that); a link in a field is checked for rel="me".
import { useEffect, useId, useState } from 'react';
import type { SettingsDto } from '../../../shared/dto';
import { PROFILE_FIELD_NAME_MAX, PROFILE_FIELD_VALUE_MAX, PROFILE_FIELDS_MAX, type ProfileFieldInput } from '../../../shared/people';
import { explainError } from '../../../shared/errorText';
import { countCharacters } from '../lib/format';
import { useStore } from '../store';
import { ProfileImages } from './ProfileImages';
import { Icon } from './Icon';

type Message = { ok: boolean; text: string } | null;

const sameFields = (a: ProfileFieldInput[], b: ProfileFieldInput[]) =>
  a.length === b.length && a.every((f, i) => f.name === b[i]!.name && f.value === b[i]!.value);

/** A field row with a name and no value (or the reverse) cannot be saved. */
function fieldProblem(f: ProfileFieldInput): string | null {
  const name = f.name.trim();
  const value = f.value.trim();
  if (!name && !value) return null;
  if (!name) return 'Give this field a label';
  if (!value) return 'Give this field a value';
  if (countCharacters(name) > PROFILE_FIELD_NAME_MAX) return `The label is longer than ${PROFILE_FIELD_NAME_MAX} characters`;
  if (countCharacters(value) > PROFILE_FIELD_VALUE_MAX) return `The value is longer than ${PROFILE_FIELD_VALUE_MAX} characters`;
  return null;
}

export function ProfileEditor({ s, onDone }: { s: SettingsDto; onDone?: () => void }) {
  const save = useStore((st) => st.saveSettings);
  const saved = s.fields.map(({ name, value }) => ({ name, value }));
  const [name, setName] = useState(s.displayName);
  const [bio, setBio] = useState(s.summary);
  const [fields, setFields] = useState<ProfileFieldInput[]>(saved);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const ids = useId();
  const savedKey = JSON.stringify([s.displayName, s.summary, saved]);
  useEffect(() => {
    setName(s.displayName);
    setBio(s.summary);
    setFields(s.fields.map(({ name: n, value }) => ({ name: n, value })));
  }, [savedKey]); // the saved values, whatever object carries them

  const clean = fields.map((f) => ({ name: f.name.trim(), value: f.value.trim() })).filter((f) => f.name || f.value);
  const problems = fields.map(fieldProblem);
  const dirty = name !== s.displayName || bio !== s.summary || !sameFields(clean, saved);
  const invalid = problems.some(Boolean);
  const reset = () => {
    setName(s.displayName);
    setBio(s.summary);
    setFields(saved);
    setMessage(null);
  };
  const setField = (i: number, patch: Partial<ProfileFieldInput>) => setFields(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));

  return (
    <div className="profile-editor" data-testid="profile-editor">
      <ProfileImages s={s} />
      <form
        className="form-grid"
        onSubmit={async (e) => {
          e.preventDefault();
          if (invalid) return;
          setSaving(true);
          setMessage(null);
          try {
            await save({ displayName: name, summary: bio, fields: clean });
            setMessage({ ok: true, text: 'Profile saved and sent to your followers.' });
            onDone?.();
          } catch (err) {
            setMessage({ ok: false, text: explainError(err).message });
          } finally {
            setSaving(false);
          }
        }}
      >
        <label className="field">
          <span className="field-label">Display name</span>
          <input className="input" dir="auto" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Bio</span>
          <textarea className="input textarea" dir="auto" rows={3} value={bio} maxLength={2000} onChange={(e) => setBio(e.target.value)} />
        </label>
        <fieldset className="field profile-fields">
          <legend className="field-label">Profile fields</legend>
          <p className="muted small" id={`${ids}-fields-help`}>
            Up to {PROFILE_FIELDS_MAX}, shown as a table on your profile. A link (https://…) is verified when the page it
            points to links back to your profile with rel="me".
          </p>
          {fields.map((f, i) => (
            <div className="profile-field-row" key={i}>
              <input
                className={`input ${problems[i] ? 'invalid' : ''}`} dir="auto" aria-label={`Field ${i + 1} label`} placeholder="Label"
                value={f.name} onChange={(e) => setField(i, { name: e.target.value })} aria-invalid={!!problems[i]}
                aria-describedby={problems[i] ? `${ids}-f${i}-err` : `${ids}-fields-help`}
              />
              <input
                className={`input ${problems[i] ? 'invalid' : ''}`} dir="auto" aria-label={`Field ${i + 1} value`} placeholder="Value or https:// link"
                value={f.value} onChange={(e) => setField(i, { value: e.target.value })} aria-invalid={!!problems[i]}
              />
              <button type="button" className="icon-btn" aria-label={`Remove field ${i + 1}`} title="Remove" onClick={() => setFields(fields.filter((_, j) => j !== i))}>
                <Icon name="close" size={14} />
              </button>
              {problems[i] && <span id={`${ids}-f${i}-err`} className="inline-error small profile-field-error">{problems[i]}</span>}
            </div>
          ))}
          {fields.length < PROFILE_FIELDS_MAX && (
            <button type="button" className="btn btn-small profile-field-add" onClick={() => setFields([...fields, { name: '', value: '' }])}>
              Add a field
            </button>
          )}
        </fieldset>
        <div className="save-row">
          {message && <span className={message.ok ? 'ok-text small' : 'inline-error small'} role={message.ok ? 'status' : 'alert'}>{message.text}</span>}
          <span className="spacer" />
          {(dirty || onDone) && (
            <button type="button" className="btn btn-ghost" onClick={() => (dirty ? reset() : onDone?.())} disabled={saving}>
              {dirty ? 'Discard changes' : 'Close'}
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={!dirty || invalid || saving}>{saving ? 'Saving…' : 'Save profile'}</button>
        </div>
      </form>
    </div>
  );
}
