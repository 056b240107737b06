// A remote that rotates its key keeps federating: the inbox refetches the key once.
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance } from '../../src/main/core/instance';
import { createAdminHandlers } from '../../src/main/admin/adminService';
import { FakeRemote } from '../support/remote/fakeRemote';
import { eventually, freePort } from '../support/outpost';

let dir: string;
let inst: Instance;
let remote: FakeRemote;
let admin: ReturnType<typeof createAdminHandlers>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-rot-'));
  const port = await freePort('127.0.1.70');
  // No minimum age between key refetches, so the test need not wait 30 s.
  inst = new Instance({ dataDir: dir, publicUrl: `http://127.0.1.70:${port}`, port, username: 'hal', allowPrivateNetwork: true, limits: { keyRefetchMinAgeMs: 0 } });
  await inst.start();
  admin = createAdminHandlers(inst, { adminUrl: null, dataDir: dir });
  remote = await new FakeRemote({ host: '127.0.1.71', kind: 'mastodon', vars: { LOCAL_ACTOR: inst.identity.actor } }).start();
});
afterAll(async () => {
  await inst?.stop();
  await remote?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('key rotation', () => {
  it('accepts activities signed with the new key after refetching the actor once', async () => {
    expect((await remote.post(`${inst.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
    await eventually(async () => (await admin.followers({})).length === 1, 10_000, 'follower');
    const fetchesBefore = remote.fetched.length;

    const next = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    remote.actor.publicKey.publicKeyPem = next.publicKey;
    const { noteId } = await admin.compose({ content: 'like me' });
    const like = { ...remote.fixture('like'), object: `${inst.publicUrl}/notes/${noteId}` };
    const res = await remote.post(`${inst.publicUrl}/inbox`, like, { key: createPrivateKey(next.privateKey) });
    expect(res.status).toBe(202);
    expect(remote.fetched.length - fetchesBefore).toBe(1);
    await eventually(async () => (await admin.notifications({})).notifications.find((n) => n.type === 'like'), 10_000, 'like');

    // The old key no longer verifies.
    const old = await remote.post(`${inst.publicUrl}/inbox`, { ...like, id: `${like.id}-old` });
    expect(old.status).toBe(401);
  });
});
