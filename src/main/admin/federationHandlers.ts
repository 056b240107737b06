// Admin methods of the federation breadth work (issue 13): aliases and account moves,
// pinned posts. Kept apart from adminService.ts, which spreads these in.
import type { AdminHandlers } from './adminService';
import type { Instance } from '../core/instance';

type FederationMethods = 'aliases' | 'addAlias' | 'removeAlias' | 'moveAccount' | 'pin' | 'unpin';

export function federationHandlers(inst: Instance): Pick<AdminHandlers, FederationMethods> {
  return {
    aliases: async () => inst.moves.aliases(),
    addAlias: (p) => inst.moves.addAlias(p.handle),
    removeAlias: (p) => inst.moves.removeAlias(p.handle),
    moveAccount: (p) => inst.moves.moveAccount(p.target),
    pin: async (p) => inst.featured.pin(p.noteId),
    unpin: async (p) => inst.featured.unpin(p.noteId),
  };
}
