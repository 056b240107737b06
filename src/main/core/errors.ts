// The core's own errors: what went wrong in the instance's terms, never in a transport's.
// The admin layer maps them to AdminError codes (and names the method); a future CLI or
// IPC caller maps them its own way.

export type DomainErrorKind =
  /** The thing named does not exist (a note, a follow request, an account). */
  | 'not_found'
  /** The request is well formed but conflicts with the state (delete another's note, follow yourself). */
  | 'conflict'
  /** The input itself is unusable (not a handle, not an image). */
  | 'invalid'
  /** A remote server could not be reached or answered nonsense. */
  | 'remote';

export class DomainError extends Error {
  constructor(readonly kind: DomainErrorKind, message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string): DomainError => new DomainError('not_found', message);
export const conflict = (message: string): DomainError => new DomainError('conflict', message);
