// An account named by the user (a handle or a profile URL), or a domain error saying why
// it cannot be had: the one lookup behind follow, block, mute and report.
import { ActorDocumentError, type RemoteActor, type RemoteActors } from '../federation/remoteActors';
import { FetchError } from '../federation/httpClient';
import { DomainError, notFound } from '../errors';

export async function resolveAccount(actors: RemoteActors, handle: string, opts: { refresh?: boolean } = {}): Promise<RemoteActor> {
  try {
    return await actors.resolveHandle(handle, opts);
  } catch (err) {
    if (err instanceof ActorDocumentError) throw notFound(err.message);
    if (err instanceof FetchError) throw new DomainError('remote', `could not reach ${handle}: ${err.message}`);
    throw err;
  }
}
