// The window's keyboard shortcuts (as in Mastodon and Elk): j/k move between posts, n starts
// a new post, / goes to search, ? lists them all. Keys on a focused post (r, f, b, s,
// Enter) are the post card's own. Ignored while typing in a field or with a modifier held.
import { useEffect, useId } from 'react';
import { isTyping, nextPost, SHORTCUTS } from '../lib/keys';
import { useStore } from '../store';
import { Drawer } from './common';

function focusPost(step: 1 | -1): void {
  const cards = Array.from(document.querySelectorAll<HTMLElement>('#main article.note[data-note-id]'));
  const active = document.activeElement;
  const inCard = cards.some((c) => c === active || c.contains(active));
  // With no post focused, j starts at the first post on screen (k at the last).
  const visible = cards.filter((c) => {
    const r = c.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });
  const target = inCard ? nextPost(cards, active, step) : (step === 1 ? visible[0] : visible.at(-1)) ?? nextPost(cards, null, step);
  if (!target) return;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: 'nearest' });
}

export function Shortcuts() {
  const open = useStore((s) => s.shortcutsHelp);
  const setOpen = useStore((s) => s.setShortcutsHelp);
  const labelId = useId();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const s = useStore.getState();
      // Inside a dialog only its own keys count (Esc closes it).
      if (document.activeElement?.closest('[role="dialog"]')) return;
      switch (e.key) {
        case 'j': focusPost(1); break;
        case 'k': focusPost(-1); break;
        case 'n':
          // A new post, not a reply: the composer at the top of Home.
          if (s.replyTo) s.cancelReply();
          s.navigate('home');
          useStore.setState({ composerFocus: useStore.getState().composerFocus + 1 });
          break;
        case '/': {
          const q = s.view === 'search' ? s.routeArg : null;
          s.navigate('search', q);
          s.focusSearch();
          break;
        }
        case '?': s.setShortcutsHelp(true); break;
        default: return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!open) return null;
  return (
    <Drawer title="Keyboard shortcuts" subtitle="Not while typing in a field" labelId={labelId} onClose={() => setOpen(false)}>
      <table className="table shortcuts-table" data-testid="shortcuts-help">
        <thead><tr><th scope="col">Key</th><th scope="col">What it does</th></tr></thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td>{s.keys.map((k, i) => <span key={k}>{i > 0 && <span className="muted"> or </span>}<kbd>{k}</kbd></span>)}</td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">The post keys act on the focused post: move to it with j and k, or Tab to it.</p>
    </Drawer>
  );
}
