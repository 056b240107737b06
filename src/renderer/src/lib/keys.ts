// Keyboard shortcuts as in Mastodon and Elk: which keys do what, and when keys belong to a
// field being typed in rather than to the shortcuts.

/** Whether a key event's target is somewhere text is typed (shortcuts stay out of the way). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('[contenteditable=""], [contenteditable="true"]')) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

/** The shortcuts, as the help dialog lists them. */
export const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['j'], what: 'Next post' },
  { keys: ['k'], what: 'Previous post' },
  { keys: ['Enter', 'o'], what: 'Open the post’s thread' },
  { keys: ['r'], what: 'Reply to the post' },
  { keys: ['f'], what: 'Like (favourite) the post' },
  { keys: ['b'], what: 'Boost the post' },
  { keys: ['s'], what: 'Bookmark the post' },
  { keys: ['n'], what: 'New post' },
  { keys: ['/'], what: 'Search' },
  { keys: ['?'], what: 'This list of shortcuts' },
  { keys: ['Esc'], what: 'Leave a field, close a dialog' },
  { keys: ['Ctrl+Enter'], what: 'In the composer: send (⌘+Enter on a Mac)' },
];

/** The post card to move to from the focused one (`step` +1 for j, −1 for k), in document order. */
export function nextPost(cards: HTMLElement[], active: Element | null, step: 1 | -1): HTMLElement | undefined {
  if (cards.length === 0) return undefined;
  const current = active ? cards.findIndex((c) => c === active || c.contains(active)) : -1;
  if (current < 0) return step === 1 ? cards[0] : cards[cards.length - 1];
  return cards[Math.min(cards.length - 1, Math.max(0, current + step))];
}
