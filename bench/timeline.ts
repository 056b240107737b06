// Scenario 7, the home timeline at size: 100 000 notes from 200 followed accounts (a tenth
// of them boosted, some liked and boosted by the user, some replied to) in a real Instance's
// database; then every 40-item page of the first 8 000 entries is read through the admin
// handler the window calls (`timeline`), 3 passes, timing each call. Target: p99 ≤ 5 ms.
// In-process (no HTTP: the admin transport adds the same small cost to any page size).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Instance } from '../src/main/core/instance';
import { createAdminHandlers } from '../src/main/admin/adminService';
import { grid, log, round } from './util';

export const TIMELINE_TARGETS = { pageP99Ms: 5 };

export async function scenario7(root: string, scale: number): Promise<Record<string, unknown>> {
  const notes = Math.max(1000, Math.round(100_000 * scale));
  const authors = 200;
  const pageSize = 40;
  const dataDir = mkdtempSync(join(root, 's7-'));
  const inst = new Instance({ dataDir, publicUrl: 'http://127.0.0.1:9', port: 0, username: 'bench', allowPrivateNetwork: true });
  try {
    const me = inst.identity.actor;
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const authorUri = (a: number) => `https://host${a % 50}.example/users/u${a}`;
    log(`[s7] writing ${notes} notes from ${authors} accounts`);
    const t0 = performance.now();
    inst.db.transaction(() => {
      for (let a = 0; a < authors; a++) {
        const id = authorUri(a);
        inst.actors.storeDocument({
          '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Person', preferredUsername: `u${a}`, name: `User ${a}`,
          inbox: `${id}/inbox`, outbox: `${id}/outbox`, summary: '<p>hello</p>',
          publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: pem },
        }, id);
      }
      for (let i = 0; i < notes; i++) {
        const author = authorUri(i % authors);
        const uri = `${author}/statuses/${i}`;
        const id = `n${i.toString(36).padStart(8, '0')}`;
        inst.notes.insert({
          id, uri, authorUri: author, local: false, contentHtml: `<p>note ${i} with some text in it, as a post would have</p>`, summary: null,
          visibility: 'public', inReplyTo: i % 7 === 0 && i > 0 ? `${authorUri((i - 1) % authors)}/statuses/${i - 1}` : null, url: uri,
          to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${author}/followers`], mentions: [], hashtags: i % 5 === 0 ? ['bench'] : [],
          publishedAt: 1_700_000_000_000 + i * 1000, updatedAt: null, attachments: [], emojis: [], sensitive: false,
        });
        const boost = i % 10 === 0 ? { by: authorUri((i + 1) % authors), announceUri: `${authorUri((i + 1) % authors)}/announces/${i}` } : undefined;
        inst.notes.addToTimeline(id, 1_700_000_000_000 + i * 1000, boost);
        if (i % 3 === 0) inst.notes.addReaction('like', `${authorUri((i + 2) % authors)}/likes/${i}`, authorUri((i + 2) % authors), uri, 1);
        if (i % 11 === 0) inst.notes.addReaction('like', `${me}/likes/${i}`, me, uri, 1);
        if (i % 13 === 0) inst.notes.addReaction('announce', `${me}/announces/${i}`, me, uri, 1);
      }
    })();
    log(`[s7] written in ${round((performance.now() - t0) / 1000)} s; reading pages`);
    const handlers = createAdminHandlers(inst, { adminUrl: 'http://127.0.0.1:0', dataDir });
    const times: number[] = [];
    const pages = Math.min(200, Math.floor(notes / pageSize));
    for (let pass = 0; pass < 4; pass++) {
      let before: string | undefined;
      for (let p = 0; p < pages; p++) {
        const s = performance.now();
        const page = await handlers.timeline({ limit: pageSize, ...(before ? { before } : {}) });
        const ms = performance.now() - s;
        if (pass > 0) times.push(ms); // the first pass warms caches and the JIT
        if (page.entries.length !== pageSize) throw new Error(`page ${p}: ${page.entries.length} entries`);
        before = page.next ?? undefined;
      }
    }
    times.sort((a, b) => a - b);
    const q = (f: number) => round(times[Math.min(times.length - 1, Math.floor(f * times.length))]!, 2);
    const json = { scenario: 7, notes, pageSize, pagesTimed: times.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: round(times.at(-1)!, 2), pass: q(0.99) <= TIMELINE_TARGETS.pageP99Ms };
    process.stdout.write(JSON.stringify(json) + '\n');
    process.stdout.write(grid(`Scenario 7: the home timeline with ${notes} notes, ${pageSize}-item pages (admin handler, in-process)`,
      ['pages timed', 'p50 ms', 'p99 ms', 'max ms'], [[times.length, json.p50Ms, json.p99Ms, json.maxMs]]) + `  target: p99 ≤ ${TIMELINE_TARGETS.pageP99Ms} ms\n`);
    return json;
  } finally {
    inst.db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
