// Errors in the user's language: what a resolver, fetch or delivery error means, for
// people, with the raw error kept for a details element or tooltip. One mapping, used by
// the window's toasts, the host views and the people and profile views.
// No runtime dependencies: imported by main, preload and renderer alike.

export interface ExplainedError {
  /** What happened, for people. */
  message: string;
  /** The error as the instance reported it, when it says more than `message`; else null. */
  detail: string | null;
}

/** Patterns on raw error text, first match wins. */
const RULES: [RegExp, string][] = [
  [/does not exist on|has no ActivityPub actor|not an actor document|no such account/i, 'No such account'],
  [/is not a handle|not a handle like/i, 'Enter a handle like @someone@example.social, or a profile URL'],
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|getaddrinfo/, 'Server not found — check the spelling'],
  [/ECONNREFUSED/, 'Connection refused — the server is down'],
  [/EHOSTUNREACH|ENETUNREACH|ENETDOWN|EHOSTDOWN/, 'Server unreachable — check your internet connection'],
  [/ECONNRESET|socket hang up|EPIPE|UND_ERR_SOCKET/, 'The connection was cut off — try again'],
  [/timed out|timeout|ETIMEDOUT|took too long/i, 'The server took too long to answer'],
  [/certificate|CERT_|ERR_TLS|\bTLS\b|\bSSL\b/, 'Secure connection failed — the server’s certificate is not valid'],
  [/private address|is local\b/i, 'That server is on a private network: refused for safety'],
  [/\b(answered|HTTP) 410\b/, 'Gone — the account or server no longer exists'],
  [/\b(answered|HTTP) 40[13]\b/, 'The server refused our request'],
  [/\b(answered|HTTP) 404\b/, 'Not found on that server'],
  [/\b(answered|HTTP) 429\b/, 'The server asks us to slow down — Outpost tries again later'],
  [/\b(answered|HTTP) 5\d\d\b/, 'The server had an error — Outpost tries again later'],
  [/more than \d+ bytes|sent \d+ bytes \(cap|too large/i, 'The server sent too much data'],
  [/did not return a JSON object|served an object without|is not served by its own host|served another actor/i, 'The server sent something Outpost cannot use'],
];

/** Maps a raw error (an Error, an AdminError, or a stored error string) to words for people. */
export function explainError(err: unknown): ExplainedError {
  const raw = (err instanceof Error ? err.message : typeof err === 'string' ? err : String(err)).trim();
  for (const [pattern, message] of RULES) if (pattern.test(raw)) return { message, detail: raw };
  // Admin errors name their method ("follow: …"): people do not need that part.
  const message = raw.replace(/^[a-zA-Z]+: /, '');
  return { message: message ? message[0]!.toUpperCase() + message.slice(1) : 'Something went wrong', detail: message === raw ? null : raw };
}
