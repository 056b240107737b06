// Screenshots of the Outpost window for the docs: `npx tsx scripts/screenshots.ts`.
//
// Starts a seeded demo on loopback: a local instance (alice), two other Outpost instances
// she follows and who follow her, and five fake remote servers following her (one of
// them dies and backs off, one answers 503 for a while, one is suspended). Real posts,
// boosts, replies and deliveries happen between them. Only the dashboard's history before
// the script started is synthetic: per-minute rollups (and the hosts' 14-day counts) are
// written into the demo database so the charts show a day of traffic instead of two minutes.
//
// Writes docs/{home,dashboard,hosts,profile}.png and -dark variants, plus docs/host-drawer.png,
// docs/timeline-media.png, docs/composer-media.png and docs/{thread,search,poll}.png, at
// 1280×800 (and more views into $SCREENSHOTS_EXTRA_DIR when set). The pictures in posts are
// drawn by scripts/demoPictures.ts.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// test/support/fakeRemote.ts finds its fixtures through __dirname (CommonJS style).
(globalThis as { __dirname?: string }).__dirname = join(ROOT, 'test/support');

const { startOutpost, eventually } = await import('../test/support/outpost');
const { FakeRemote } = await import('../test/support/fakeRemote');
const { buildRenderer } = await import('../test/e2e/support/buildRenderer');
const { addSample } = await import('../src/main/core/metrics/latencyHistogram');
type LatencyHistogram = import('../src/main/core/metrics/latencyHistogram').LatencyHistogram;
const { launchBrowser, openWindow } = await import('../test/e2e/support/browser');
const { serveMediaOf } = await import('../test/support/remote/mediaFiles');
const { avatar, emoji, picture } = await import('./demoPictures');
type TestOutpost = Awaited<ReturnType<typeof startOutpost>>;
type Remote = InstanceType<typeof FakeRemote>;

const OUT = join(ROOT, 'docs');
/** Optional folder for more views (notifications, people, settings, panels), for review. */
const EXTRA = process.env.SCREENSHOTS_EXTRA_DIR;
const log = (msg: string) => process.stderr.write(`screenshots: ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random numbers, so the synthetic history looks the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}


/** A day of plausible per-minute delivery rollups before now (real minutes are kept). */
function seedMetrics(alice: TestOutpost, deadHost: boolean): void {
  const db = alice.running.instance.db;
  const insert = db.prepare(`INSERT OR IGNORE INTO metric_rollups (minute, attempts, delivered, failed, retried, skipped, abandoned,
      errors, latency, latency_sum_ms, queued, in_flight, parked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const rand = rng(7);
  const MINUTE = 60_000;
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  let backlog = 0;
  db.transaction(() => {
    for (let m = now - 24 * 60 * MINUTE; m < now; m += MINUTE) {
      // Quieter during the "night" 6 to 13 hours ago; posts come in bursts (one delivery per
      // follower inbox), reactions and profile updates trickle in between.
      const hoursAgo = (now - m) / (60 * MINUTE);
      const awake = hoursAgo < 6 || hoursAgo > 13;
      const post = rand() < (awake ? 0.06 : 0.01);
      const fresh = post ? 10 + Math.floor(rand() * 7) : rand() < (awake ? 0.3 : 0.06) ? 1 + Math.floor(rand() * 2) : 0;
      backlog += fresh;
      const sent = post ? Math.floor(backlog * (0.5 + rand() * 0.25)) : backlog;
      backlog -= sent;
      const errors: Record<string, number> = {};
      const fail = (cls: string, n: number) => { if (n > 0) errors[cls] = (errors[cls] ?? 0) + n; };
      if (sent > 0) {
        fail('timeout', rand() < (post ? 0.35 : 0.05) ? 1 + Math.floor(rand() * 2) : 0);
        fail('http_5xx', rand() < (post ? 0.2 : 0.03) ? 1 : 0);
        fail('http_429', post && rand() < 0.3 ? 1 + Math.floor(rand() * 2) : 0);
      }
      if (deadHost && m > now - 60 * MINUTE && rand() < 0.25) fail('refused', 1);
      if (rand() < 0.01) fail('dns', 1);
      const failedAttempts = Object.values(errors).reduce((a, b) => a + b, 0);
      const attempts = sent + failedAttempts;
      // The dead host's deliveries pile up, parked, over the last hour.
      const parked = deadHost && m > now - 60 * MINUTE ? 1 + Math.floor((m - (now - 60 * MINUTE)) / (15 * MINUTE)) : 0;
      if (attempts === 0 && backlog === 0 && parked === 0) continue;
      const latency: LatencyHistogram = {};
      let latencySum = 0;
      for (let i = 0; i < attempts; i++) {
        // Mostly 60–400 ms, a tail of slow servers up to a few seconds.
        const r = rand();
        const ms = r < 0.85 ? 60 + rand() * 340 : r < 0.98 ? 400 + rand() * 1600 : 2000 + rand() * 6000;
        addSample(latency, ms);
        latencySum += ms;
      }
      const retried = failedAttempts;
      insert.run(m, attempts, sent, rand() < 0.01 ? 1 : 0, retried, 0, 0, JSON.stringify(errors), JSON.stringify(latency),
        Math.round(latencySum), backlog, post ? Math.min(4, sent) : 0, parked);
    }
  })();
}

/** Fourteen days of per-host success/failure counts before today (today's are real). */
function seedHostDays(alice: TestOutpost, hosts: { host: string; kind: 'steady' | 'dying' | 'flaky' | 'new' }[]): void {
  const db = alice.running.instance.db;
  const insert = db.prepare('INSERT OR IGNORE INTO host_days (host, day, successes, failures) VALUES (?, ?, ?, ?)');
  const rand = rng(11);
  const today = Math.floor(Date.now() / 86_400_000);
  db.transaction(() => {
    for (const h of hosts) {
      for (let d = today - 13; d < today; d++) {
        const age = today - d;
        if (h.kind === 'new' && age > 5) continue;
        if (rand() < 0.12) continue; // a quiet day
        const ok = 3 + Math.floor(rand() * 20);
        if (h.kind === 'dying') insert.run(h.host, d, age > 2 ? ok : 0, age > 2 ? (rand() < 0.2 ? 1 : 0) : 4 + Math.floor(rand() * 6));
        else if (h.kind === 'flaky') insert.run(h.host, d, ok, rand() < 0.5 ? 1 + Math.floor(rand() * 5) : 0);
        else insert.run(h.host, d, ok, rand() < 0.1 ? 1 : 0);
      }
    }
  })();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  log('building the renderer');
  await buildRenderer();

  log('starting the demo instances');
  const [alice, maya, jon] = await Promise.all([
    startOutpost({ host: '127.0.6.1', username: 'alice' }),
    startOutpost({ host: '127.0.6.2', username: 'maya' }),
    startOutpost({ host: '127.0.6.3', username: 'jon' }),
  ]);
  const vars = { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host, LOCAL_FOLLOWERS: `${alice.actor}/followers` };
  const remoteSpecs: { host: string; kind: 'mastodon' | 'misskey' | 'gotosocial' | 'pleroma'; name: string }[] = [
    { host: '127.0.6.4', kind: 'mastodon', name: 'Sam Ortega' },
    { host: '127.0.6.5', kind: 'misskey', name: 'Yuki' },
    { host: '127.0.6.6', kind: 'gotosocial', name: 'Priya (gts)' },
    { host: '127.0.6.7', kind: 'pleroma', name: 'Lars' },
    { host: '127.0.6.8', kind: 'mastodon', name: 'Nadia' },
  ];
  const remotes: Remote[] = await Promise.all(remoteSpecs.map((r) => new FakeRemote({ host: r.host, kind: r.kind, vars }).start()));
  remotes.forEach((r, i) => { r.actor.name = remoteSpecs[i]!.name; });
  const [sam, , priya, lars, nadia] = remotes as [Remote, Remote, Remote, Remote, Remote];
  const stops: (() => Promise<void>)[] = [() => alice.stop(), () => maya.stop(), () => jon.stop(), ...remotes.map((r) => () => r.stop())];

  try {
    // Maya's personal site links back to her profile (rel="me"): her profile shows it verified.
    const site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Maya</title><a rel="me" href="${maya.actor}">me on the fediverse</a>`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.6.9', r));
    stops.push(() => new Promise<void>((r) => site.close(() => r())));
    const siteUrl = `http://127.0.6.9:${(site.address() as { port: number }).port}/`;
    await Promise.all([
      alice.rpc('updateSettings', { displayName: 'Alice Moreau', summary: 'Birdwatcher and tinkerer, posting from my own little outpost.', retryInitialDelayMs: 1000 }),
      maya.rpc('updateSettings', {
        displayName: 'Maya Lindqvist', summary: 'Urban gardening, bad puns.',
        fields: [{ name: 'Garden', value: 'Allotment 14, north side' }, { name: 'Website', value: siteUrl }, { name: 'Pronouns', value: 'she/her' }],
      }),
      jon.rpc('updateSettings', { displayName: 'Jon Okafor', summary: 'Synths and sourdough.' }),
    ]);

    await Promise.all([
      alice.rpc('uploadAvatar', { data: (await avatar('A', '#4452c9')).toString('base64'), mediaType: 'image/png' }),
      maya.rpc('uploadAvatar', { data: (await avatar('M', '#2f8f5b')).toString('base64'), mediaType: 'image/png' }),
      // Maya's header: her profile shows it from alice's media cache.
      maya.rpc('uploadHeader', { data: (await picture('tomatoes', 1500)).toString('base64'), mediaType: 'image/jpeg' }),
      jon.rpc('uploadAvatar', { data: (await avatar('J', '#b5483b')).toString('base64'), mediaType: 'image/png' }),
    ]);
    const upload = async (o: TestOutpost, scene: Parameters<typeof picture>[0], description: string) =>
      (await o.rpc('uploadMedia', { data: (await picture(scene)).toString('base64'), mediaType: 'image/jpeg', description })).mediaId;

    log('following each other');
    await Promise.all([
      maya.rpc('follow', { handle: alice.handle }), jon.rpc('follow', { handle: alice.handle }), maya.rpc('follow', { handle: jon.handle }),
      alice.rpc('follow', { handle: maya.handle }), alice.rpc('follow', { handle: jon.handle }),
      ...remotes.map((r) => r.post(`${alice.actor}/inbox`, r.fixture('follow'))),
    ]);
    await eventually(async () => (await alice.rpc('followers')).filter((f) => f.state === 'accepted').length === 7, 15_000, '7 followers');
    await eventually(async () => (await alice.rpc('following')).every((f) => f.state === 'accepted'), 15_000, 'follows accepted');
    await eventually(async () => (await maya.rpc('following')).length === 2 && (await maya.rpc('following')).every((f) => f.state === 'accepted'), 15_000, 'maya follows');

    log('posting');
    await alice.rpc('follow', { handle: sam.handle });
    await alice.rpc('follow', { handle: remotes[1]!.handle });
    for (const r of [sam, remotes[1]!]) {
      const follow = await eventually(() => r.received.find((x) => x.json?.type === 'Follow'), 10_000, 'Follow to a remote');
      await r.post(`${alice.actor}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${r.origin}/accepts/demo`, type: 'Accept', actor: r.actorId, object: follow.json });
    }
    await eventually(async () => (await alice.rpc('following')).filter((f) => f.state === 'accepted').length === 4, 15_000, 'remote follows accepted');
    // Sam (Mastodon) posts a photo with a custom emoji; Yuki (Misskey) a sensitive one.
    const samPost = sam.fixture('create-note-media');
    samPost.object.content = '<p>Low tide at the old lighthouse this morning :blobcat:</p>';
    samPost.object.attachment = [samPost.object.attachment[0]];
    samPost.object.attachment[0].name = 'A white lighthouse with red bands on a sandy shore at low tide';
    await serveMediaOf(sam, samPost);
    await serveMediaOf(sam, sam.actor);
    sam.files.set(new URL(samPost.object.attachment[0].url).pathname, { status: 200, type: 'image/jpeg', body: await picture('lighthouse') });
    sam.files.set(new URL(samPost.object.tag[0].icon.url).pathname, { status: 200, type: 'image/png', body: await emoji('#f2c94c') });
    if (sam.actor.icon) sam.files.set(new URL(sam.actor.icon.url).pathname, { status: 200, type: 'image/png', body: await avatar('S', '#8e44ad') });
    const yuki = remotes[1]!;
    const yukiPost = yuki.fixture('create-note-media');
    yukiPost.object.content = '<p><span>Caught mid-yawn :blobcat_wave: (blurred: flash photo)</span></p>';
    await serveMediaOf(yuki, yukiPost);
    yuki.files.set(new URL(yukiPost.object.attachment[0].url).pathname, { status: 200, type: 'image/jpeg', body: await picture('cat') });
    yuki.files.set(new URL(yukiPost.object.tag[0].icon.url).pathname, { status: 200, type: 'image/png', body: await emoji('#56ccf2') });
    await yuki.post(`${alice.actor}/inbox`, yukiPost);
    await sleep(300);
    await sam.post(`${alice.actor}/inbox`, samPost);
    await sleep(300);
    await jon.rpc('compose', {
      content: 'Finally finished the modular synth patch I have been fiddling with all week. It sounds like a kettle arguing with a whale, and I love it. #synth',
      mediaIds: [await upload(jon, 'synth', 'A rack of synthesizer modules with yellow, red and blue patch cables'), await upload(jon, 'bread', 'A sourdough loaf on a wooden board')],
    });
    await sleep(300);
    const mayaCw = await maya.rpc('compose', {
      content: 'The tomatoes made it through the cold snap! All six of them.', summary: 'garden update, mild gloating',
      mediaIds: [await upload(maya, 'tomatoes', 'Six red tomatoes in a row on a windowsill')],
    });
    void mayaCw;
    await maya.rpc('compose', { content: 'Seed swap at the community garden on Saturday. Bring your weird squash seeds, I will bring coffee. #gardening' });
    await maya.rpc('compose', { content: 'If a tomato is a fruit, is ketchup a smoothie? Asking for a friend.' });
    await alice.rpc('compose', {
      content: 'Spotted a pair of grey wagtails by the canal this morning. First time this year! They were very busy and very unimpressed with me.',
      mediaIds: [await upload(alice, 'canal', 'A grey wagtail with a yellow belly perched on a post by the canal at dawn')],
    });
    await sleep(300);
    const jonNote = await eventually(async () => (await maya.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('modular synth')), 10_000, 'jon on maya');
    await maya.rpc('boost', { noteId: jonNote.note.id });
    const aliceOnJon = await eventually(async () => (await jon.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('wagtails')), 10_000, 'alice on jon');
    const jonReply = await jon.rpc('compose', { content: `@${alice.handle} wagtails are the best. The tail bobbing never stops being funny. #wagtails`, inReplyTo: aliceOnJon.note.id });
    await maya.rpc('like', { noteId: (await eventually(async () => (await maya.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('wagtails')), 10_000, 'alice on maya')).note.id });
    // Four entries: maya's boost of jon's post, already in alice's home, adds no second one.
    await eventually(async () => (await alice.rpc('timeline', {})).entries.length >= 4, 10_000, 'home filled');

    log('a conversation and a poll');
    const jonReplyOnMaya = await eventually(async () => (await maya.rpc('timeline', {})).entries.find((e) => e.note.uri.endsWith(jonReply.noteId)), 10_000, 'jon on maya');
    const mayaReply = await maya.rpc('compose', { content: `@${jon.handle} @${alice.handle} ours come to the pond every morning. Grey wagtails, not pied ones, the yellow is unmistakable.`, inReplyTo: jonReplyOnMaya.note.id });
    const mayaReplyOnAlice = await eventually(async () => (await alice.rpc('timeline', {})).entries.find((e) => e.note.uri.endsWith(mayaReply.noteId)), 10_000, 'maya on alice');
    await alice.rpc('compose', { content: `@${maya.handle} lucky you! Mine only visit when it rains. #wagtails`, inReplyTo: mayaReplyOnAlice.note.id });
    maya.running.instance.conversationConfig.polls.resultsDelayMs = 300;
    const poll = await maya.rpc('compose', {
      content: 'Feeder question for the garden crowd: what do your birds go for first?',
      poll: { options: ['Sunflower hearts', 'Suet balls', 'Mealworms', 'Peanuts'], expiresInS: 3 * 86_400 },
    });
    const pollOnJon = await jon.rpc('search', { q: `${maya.publicUrl}/notes/${poll.noteId}` });
    await jon.rpc('vote', { noteId: pollOnJon.notes[0]!.id, choices: [1] });
    // Three more voters (the Mastodon and Misskey fixtures carry votes).
    for (const [r, option] of [[sam, 'Sunflower hearts'], [remotes[1]!, 'Sunflower hearts'], [nadia, 'Mealworms']] as const) {
      const vote = r.fixture('create-vote', { LOCAL_NOTE: `${maya.publicUrl}/notes/${poll.noteId}`, OPTION: option });
      vote.to = maya.actor;
      vote.object.to = maya.actor;
      await r.post(`${maya.publicUrl}/inbox`, vote);
    }

    log('making hosts unhealthy: one dies, one answers 503 for a while, one is suspended');
    await priya.stop();
    nadia.opts.inboxStatus = 503;
    await alice.rpc('suspendHost', { host: lars.host });
    await alice.rpc('compose', { content: 'Small reminder to myself: clean the feeder before the weekend.', visibility: 'unlisted' });
    await sleep(2500);
    nadia.opts.inboxStatus = 202;

    seedMetrics(alice, true);
    seedHostDays(alice, [
      { host: sam.host, kind: 'steady' }, { host: remotes[1]!.host, kind: 'steady' }, { host: priya.host, kind: 'dying' },
      { host: lars.host, kind: 'steady' }, { host: nadia.host, kind: 'flaky' },
      { host: new URL(maya.publicUrl).host, kind: 'steady' }, { host: new URL(jon.publicUrl).host, kind: 'new' },
    ]);

    log('opening the window');
    const browser = await launchBrowser();
    stops.unshift(() => browser.close());
    const win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
    const { page } = win;

    // The showcase post, composed in the window so it carries its live delivery bar.
    await page.getByLabel('Post text').fill('Testing the new delivery dashboard: every follower server gets this post, and I can watch it travel. One of them seems to be having a bad day.');
    await page.getByLabel('Post text').press('Control+Enter');
    await page.locator('article.note', { hasText: 'Testing the new delivery dashboard' }).waitFor();
    // Enough failures for the dead host to back off (5 in a row; retries start at 1 s).
    await eventually(async () => (await alice.rpc('hosts')).find((h) => h.host === priya.host && h.state === 'backing_off'), 40_000, 'dead host backing off');
    await sleep(1500);
    await page.mouse.move(0, 0);

    const shoot = async (name: string) => {
      await page.mouse.move(0, 0); // no hover left on the sidebar link just clicked
      await page.evaluate(() => document.fonts.ready);
      await sleep(400);
      await page.screenshot({ path: join(OUT, `${name}.png`) });
      log(`wrote docs/${name}.png`);
    };
    const go = async (view: string) => {
      await page.locator(`nav a[data-view="${view}"]`).click();
      await page.locator(`nav a[data-view="${view}"][aria-current="page"]`).waitFor();
    };
    const shootAll = async (suffix: string) => {
      await go('home');
      await page.locator('article.note').first().waitFor();
      await shoot(`home${suffix}`);
      await go('dashboard');
      await page.locator('[data-testid="chart-latency"] .uplot canvas').waitFor();
      await sleep(600);
      await shoot(`dashboard${suffix}`);
      await page.evaluate((h) => { window.location.hash = `#/profile/${encodeURIComponent(h)}`; }, maya.handle);
      await page.locator('.profile-post').first().waitFor();
      await page.locator('.verified-mark').first().waitFor();
      await shoot(`profile${suffix}`);
      await go('hosts');
      await page.locator(`tr[data-host="${priya.host}"]`).waitFor();
      await shoot(`hosts${suffix}`);
    };
    await shootAll('');
    await page.locator(`tr[data-host="${priya.host}"] td`).nth(1).click();
    await page.getByTestId('host-drawer').waitFor();
    await shoot('host-drawer');
    await page.keyboard.press('Escape');

    // Media: the timeline scrolled to the photo posts, and the composer with two pictures attached.
    const mediaTimeline = async () => {
      await go('home');
      // Jon's own post (its boost by Maya comes first): two pictures, then Sam's photo with an emoji.
      const synth = page.locator('article.note', { hasText: 'modular synth' }).last();
      await synth.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForFunction(() => Array.from(document.querySelectorAll('article.note .media-image')).filter((f) => f.getAttribute('data-state') === 'loaded').length >= 3);
      await sleep(500);
    };
    const mediaComposer = async (then: () => Promise<void>) => {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0)).catch(() => {});
      await page.getByTestId('attach-input').setInputFiles([
        { name: 'canal-2.jpg', mimeType: 'image/jpeg', buffer: await picture('canal', 1200) },
        { name: 'feeder.jpg', mimeType: 'image/jpeg', buffer: await picture('tomatoes', 1200) },
      ]);
      await page.locator('.media-tray li[data-status="ready"]').nth(1).waitFor();
      await page.getByLabel('Description of canal-2.jpg').fill('The same wagtail, now on the towpath');
      await page.getByLabel('Post text').fill('Two more from the walk home. The second one is for Maya.');
      await then();
      await page.locator('.media-tray .media-remove').first().click();
      await page.locator('.media-tray .media-remove').first().click();
      await page.getByLabel('Post text').fill('');
    };
    await mediaTimeline();
    await shoot('timeline-media');
    await mediaComposer(() => shoot('composer-media'));

    // Dark variants: the same window, the OS theme switched (charts follow it live).
    await page.emulateMedia({ colorScheme: 'dark' });
    await shootAll('-dark');

    // Conversations: a poll voted on, a thread, search results (light).
    await page.emulateMedia({ colorScheme: 'light' });
    await go('home');
    const pollCard = page.locator('article.note', { hasText: 'Feeder question' });
    await pollCard.getByTestId('poll').waitFor();
    await pollCard.getByLabel('Sunflower hearts').check();
    await pollCard.getByRole('button', { name: 'Vote' }).click();
    await eventually(async () => (await alice.rpc('timeline', {})).entries.find((e) => (e.note.poll?.votersCount ?? 0) >= 3), 15_000, 'poll results on alice');
    await sleep(1500);
    await pollCard.locator('.note-content').click();
    await page.locator('article.note[aria-current="true"]').waitFor();
    await page.mouse.move(0, 0);
    await shoot('poll');
    const jonReplyOnAlice = await eventually(async () => (await alice.rpc('timeline', { limit: 50 })).entries.find((e) => e.note.uri.endsWith(jonReply.noteId)), 10_000, 'jon reply on alice');
    await page.evaluate((id) => { window.location.hash = `#/thread/${encodeURIComponent(id)}`; }, jonReplyOnAlice.note.id);
    await page.locator('article.note[aria-current="true"]', { hasText: 'tail bobbing' }).waitFor();
    await page.locator('.thread-reply article.note').first().waitFor();
    await page.mouse.move(0, 0);
    await shoot('thread');
    await go('search');
    await page.getByRole('searchbox').fill('wagtail');
    await page.getByRole('searchbox').press('Enter');
    await page.getByTestId('search-results').locator('article.note').first().waitFor();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await shoot('search');

    if (EXTRA) {
      // Media at other widths and in both themes, for review.
      for (const [scheme, width] of [['dark', 1280], ['dark', 1024], ['light', 1024], ['light', 720]] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width, height: 800 });
        await mediaTimeline();
        await page.screenshot({ path: join(EXTRA, `timeline-media-${scheme}-${width}.png`) });
        await mediaComposer(() => page.screenshot({ path: join(EXTRA, `composer-media-${scheme}-${width}.png`) }).then(() => {}));
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: 'light' });
      for (const view of ['notifications', 'people', 'settings']) {
        await go(view);
        await sleep(800);
        await page.screenshot({ path: join(EXTRA, `${view}.png`) });
      }
      await go('people');
      await page.getByPlaceholder('@someone@example.social').fill(`@${sam.handle}`);
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.getByTestId('lookup-result').waitFor();
      await sleep(300);
      await page.screenshot({ path: join(EXTRA, 'people-lookup.png') });
      await go('settings');
      await page.setViewportSize({ width: 1280, height: 1900 });
      await sleep(500);
      await page.screenshot({ path: join(EXTRA, 'settings-full.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      await go('home');
      await page.locator('[data-testid="delivery-bar"]').first().click();
      await sleep(800);
      await page.screenshot({ path: join(EXTRA, 'delivery-panel.png') });
      await page.keyboard.press('Escape');
      await go('dashboard');
      await page.getByRole('button', { name: '24h' }).click();
      await sleep(1000);
      await page.screenshot({ path: join(EXTRA, 'dashboard-24h.png') });
      await page.setViewportSize({ width: 900, height: 700 });
      await sleep(800);
      await page.screenshot({ path: join(EXTRA, 'dashboard-narrow.png') });
      // The conversation views at the narrower widths, light and dark.
      for (const [width, scheme] of [[1024, 'light'], [720, 'light'], [1024, 'dark'], [720, 'dark']] as const) {
        await page.setViewportSize({ width, height: 800 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate((id) => { window.location.hash = `#/thread/${encodeURIComponent(id)}`; }, jonReplyOnAlice.note.id);
        await page.locator('article.note[aria-current="true"]', { hasText: 'tail bobbing' }).waitFor();
        await sleep(500);
        await page.screenshot({ path: join(EXTRA, `thread-${width}-${scheme}.png`) });
        await page.evaluate(() => { window.location.hash = '#/search/wagtail'; });
        await page.getByTestId('search-results').locator('article.note').first().waitFor();
        await sleep(500);
        await page.screenshot({ path: join(EXTRA, `search-${width}-${scheme}.png`) });
        await go('home');
        await page.locator('article.note', { hasText: 'Feeder question' }).scrollIntoViewIfNeeded();
        await sleep(500);
        await page.screenshot({ path: join(EXTRA, `poll-${width}-${scheme}.png`) });
        await page.getByLabel('Post text').fill('Which route for Sunday?');
        await page.getByRole('button', { name: 'Add a poll' }).click();
        await page.getByRole('textbox', { name: 'Option 1' }).fill('The canal');
        await page.getByRole('textbox', { name: 'Option 2' }).fill('The canal');
        await page.evaluate(() => document.getElementById('main')?.scrollTo(0, 0));
        await sleep(300);
        await page.screenshot({ path: join(EXTRA, `composer-poll-${width}-${scheme}.png`) });
        await page.getByRole('button', { name: 'Remove the poll' }).click();
        await page.getByLabel('Post text').fill('');
        await page.keyboard.press('Escape');
      }
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.keyboard.press('?');
      await sleep(400);
      await page.screenshot({ path: join(EXTRA, 'shortcuts.png') });
      await page.keyboard.press('Escape');
      await go('bookmarks');
      await sleep(600);
      await page.screenshot({ path: join(EXTRA, 'bookmarks-empty.png') });
      log(`wrote extra screenshots to ${EXTRA}`);
    }
    const errors = win.errors.filter((e) => !/Content Security Policy|Failed to load resource/.test(e));
    if (errors.length > 0) log(`page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

await main();
