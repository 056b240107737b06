// The composer's poll: 2 to 4 options of up to 50 characters (Mastodon's limits, shared with
// the instance), one or several choices, and how long it stays open.
import { useId } from 'react';
import { POLL_DURATIONS_S, POLL_LIMITS } from '../../../shared/conversations';
import { countCharacters } from '../lib/format';
import { Icon } from './Icon';

export interface PollDraft {
  options: string[];
  multiple: boolean;
  expiresInS: number;
}

/** "5 minutes", "1 hour", "3 days". */
export function durationLabel(seconds: number): string {
  const [n, unit] = seconds < 3600 ? [seconds / 60, 'minute'] : seconds < 86_400 ? [seconds / 3600, 'hour'] : [seconds / 86_400, 'day'];
  const whole = Math.round(n * 10) / 10;
  return `${whole} ${unit}${whole === 1 ? '' : 's'}`;
}

export const newPollDraft = (): PollDraft => ({ options: ['', ''], multiple: false, expiresInS: 24 * 3600 });

/** Why the poll cannot be sent yet, for people; null when it can. */
export function pollProblem(poll: PollDraft): string | null {
  const titles = poll.options.map((o) => o.trim());
  if (titles.some((t) => t === '')) return 'Fill in every option (or remove the empty ones).';
  if (titles.some((t) => countCharacters(t) > POLL_LIMITS.maxOptionChars)) return `An option is longer than ${POLL_LIMITS.maxOptionChars} characters.`;
  if (new Set(titles.map((t) => t.toLowerCase())).size !== titles.length) return 'Two options are the same.';
  return null;
}

export function PollEditor({ poll, onChange, problem }: { poll: PollDraft; onChange: (p: PollDraft) => void; problem: string | null }) {
  const ids = useId();
  const set = (patch: Partial<PollDraft>) => onChange({ ...poll, ...patch });
  const setOption = (i: number, value: string) => set({ options: poll.options.map((o, j) => (j === i ? value : o)) });
  return (
    <fieldset className="poll-editor" aria-describedby={problem ? `${ids}-problem` : undefined}>
      <legend className="visually-hidden">Poll</legend>
      {poll.options.map((o, i) => {
        const left = POLL_LIMITS.maxOptionChars - countCharacters(o);
        return (
          <div key={i} className="poll-editor-row">
            <span className={`poll-editor-mark ${poll.multiple ? 'square' : ''}`} aria-hidden="true" />
            <input
              className={`input ${left < 0 ? 'invalid' : ''}`} aria-label={`Option ${i + 1}`} placeholder={`Option ${i + 1}`} value={o} dir="auto"
              onChange={(e) => setOption(i, e.target.value)} aria-invalid={left < 0}
            />
            {left <= 10 && <span className={`char-count tabular ${left < 0 ? 'over' : 'near'}`} aria-label={`${left} characters left`}>{left}</span>}
            <button
              type="button" className="icon-btn" aria-label={`Remove option ${i + 1}`} title="Remove this option"
              disabled={poll.options.length <= POLL_LIMITS.minOptions} onClick={() => set({ options: poll.options.filter((_, j) => j !== i) })}
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        );
      })}
      <div className="poll-editor-bar">
        <button
          type="button" className="btn btn-ghost btn-small" disabled={poll.options.length >= POLL_LIMITS.maxOptions}
          onClick={() => set({ options: [...poll.options, ''] })}
        >
          Add an option
        </button>
        <label className="poll-editor-check small">
          <input type="checkbox" checked={poll.multiple} onChange={(e) => set({ multiple: e.target.checked })} /> Several choices
        </label>
        <span className="spacer" />
        <label className="visually-hidden" htmlFor={`${ids}-len`}>Poll duration</label>
        <select id={`${ids}-len`} className="select select-small" value={poll.expiresInS} onChange={(e) => set({ expiresInS: Number(e.target.value) })} title="How long the poll stays open">
          {POLL_DURATIONS_S.map((s) => <option key={s} value={s}>{durationLabel(s)}</option>)}
        </select>
      </div>
      {problem && poll.options.some((o) => o.trim() !== '') && <p id={`${ids}-problem`} className="small muted" role="status">{problem}</p>}
    </fieldset>
  );
}
