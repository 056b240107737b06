// What a browser sees at the actor and note URLs: a plain, readable profile.
// Note HTML is ours (rendered from escaped text); everything else is escaped here.
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { NoteRecord } from '../social/noteRepository';
import { escapeHtml } from '../federation/sanitize';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1f23;background:#fafafa}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#16181c}a{color:#8ab4f8}}
header{border-bottom:1px solid #8884;margin-bottom:1rem}h1{margin:0}.handle{color:#888}
article{border-bottom:1px solid #8883;padding:.75rem 0}time{color:#888;font-size:.85em}details summary{cursor:pointer}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function header(id: LocalIdentity, profile: LocalProfile): string {
  return `<header><h1>${escapeHtml(profile.displayName || id.username)}</h1><p class="handle">@${escapeHtml(id.handle)}</p>` +
    (profile.summary ? `<p>${escapeHtml(profile.summary)}</p>` : '') + `</header>`;
}

function article(note: NoteRecord): string {
  const when = new Date(note.publishedAt).toISOString();
  const body = note.summary
    ? `<details><summary>${escapeHtml(note.summary)}</summary>${note.contentHtml}</details>`
    : note.contentHtml;
  return `<article>${body}<a href="${escapeHtml(note.uri)}"><time datetime="${when}">${when.slice(0, 16).replace('T', ' ')} UTC</time></a></article>`;
}

export function renderProfilePage(id: LocalIdentity, profile: LocalProfile, notes: NoteRecord[]): string {
  const list = notes.length ? notes.map(article).join('') : '<p>No public posts yet.</p>';
  return page(`${profile.displayName || id.username} (@${id.handle})`, header(id, profile) + list);
}

export function renderNotePage(id: LocalIdentity, profile: LocalProfile, note: NoteRecord): string {
  return page(`${profile.displayName || id.username}: post`, header(id, profile) + article(note));
}

export function renderTagPage(id: LocalIdentity, tag: string, notes: NoteRecord[]): string {
  const list = notes.length ? notes.map(article).join('') : '<p>No public posts with this tag.</p>';
  return page(`#${tag}`, `<header><h1>#${escapeHtml(tag)}</h1><p class="handle">on @${escapeHtml(id.handle)}</p></header>${list}`);
}
