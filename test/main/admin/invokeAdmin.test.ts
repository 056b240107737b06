// The admin layer turns the core's domain errors into AdminErrors that name the method,
// with the HTTP status a script sees.
import { describe, expect, it } from 'vitest';
import { invokeAdmin, type AdminHandlers } from '../../../src/main/admin/adminService';
import { ADMIN_ERROR_STATUS, AdminError } from '../../../src/shared/adminApi';
import { DomainError, type DomainErrorKind } from '../../../src/main/core/errors';

function handlersThrowing(err: unknown): AdminHandlers {
  return { deleteNote: async () => { throw err; } } as unknown as AdminHandlers;
}

async function caught(err: unknown): Promise<unknown> {
  return invokeAdmin(handlersThrowing(err), 'deleteNote', { noteId: 'n1' }).then(() => undefined, (e: unknown) => e);
}

describe('invokeAdmin', () => {
  it.each<[DomainErrorKind, AdminError['code'], number]>([
    ['not_found', 'not_found', 404], ['conflict', 'conflict', 409], ['invalid', 'bad_params', 400], ['remote', 'remote_error', 422],
  ])('maps a %s domain error to %s (%i), naming the method', async (kind, code, status) => {
    const e = await caught(new DomainError(kind, 'only your own notes can be deleted'));
    expect(e).toBeInstanceOf(AdminError);
    expect((e as AdminError).code).toBe(code);
    expect(ADMIN_ERROR_STATUS[(e as AdminError).code]).toBe(status);
    expect((e as AdminError).message).toBe('deleteNote: only your own notes can be deleted');
  });

  it('passes other errors through untouched (the transport answers 500)', async () => {
    const boom = new TypeError('boom');
    expect(await caught(boom)).toBe(boom);
  });

  it('refuses bad params before the handler runs', async () => {
    const e = await invokeAdmin(handlersThrowing(new Error('must not run')), 'deleteNote', {}).catch((x: unknown) => x);
    expect((e as AdminError).code).toBe('bad_params');
    expect((e as AdminError).message).toBe('deleteNote: field "noteId" is required');
  });
});
