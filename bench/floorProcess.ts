// The fan-out floor: the least a process can do to deliver one signed POST to each of N
// inboxes — an RSA-2048 draft-cavage signature on libuv's threadpool (as Outpost signs),
// a fresh keep-alive-less connection per host (as Outpost's one-shot deliveries), nothing
// stored, nothing retried, no queue. Run like the measured Outpost (its own fresh process,
// bundled by bench/buildChild.ts) so its CPU per delivery is the same kind of figure:
// what any server pays on this machine and this loopback farm before doing its own work.
//
// argv[2]: JSON FloorConfig. IPC (see bench/floorHandle.ts):
//   → {type:'ready', pid}
//   ← {type:'mark'|'stats'|'send'|'idle', id, body?} → {type:'result', id, value?}
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { request } from 'node:http';
import { startGauges } from './childGauges';

export interface FloorConfig {
  privateKeyPem: string;
  keyId: string;
  /** Shared inbox URLs, one per host. */
  inboxes: string[];
  /** Requests under way at once (Outpost's globalConcurrency). */
  concurrency: number;
  timeoutMs: number;
}

type Msg = { type: 'mark' | 'stats' | 'idle'; id: number } | { type: 'send'; id: number; body: string };

const cfg = JSON.parse(process.argv[2] ?? '{}') as FloorConfig;
const gauges = startGauges();
const key: KeyObject = createPrivateKey(cfg.privateKeyPem);
let underWay = 0;
let idleWaiters: (() => void)[] = [];
const outcome = { ok: 0, failed: 0, lastError: '' };

function signAsync(data: string): Promise<Buffer> {
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(data), key, (err, sig) => (err ? reject(err) : resolve(sig))));
}

async function post(inbox: string, body: string, digest: string): Promise<void> {
  const url = new URL(inbox);
  const date = new Date().toUTCString();
  const target = `post ${url.pathname}`;
  const sig = await signAsync(`(request-target): ${target}\nhost: ${url.host}\ndate: ${date}\ndigest: ${digest}`);
  const signature = `keyId="${cfg.keyId}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="${sig.toString('base64')}"`;
  await new Promise<void>((resolve) => {
    const req = request(url, {
      method: 'POST', agent: false, timeout: cfg.timeoutMs,
      headers: { host: url.host, date, digest, signature, 'content-type': 'application/activity+json', 'content-length': Buffer.byteLength(body), connection: 'close' },
    }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode! < 300) outcome.ok++;
        else { outcome.failed++; outcome.lastError = `HTTP ${res.statusCode}`; }
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => { outcome.failed++; outcome.lastError = String(err); resolve(); });
    req.end(body);
  });
}

/** Sends `body` to every inbox, `concurrency` at a time. */
function sendAll(body: string): void {
  const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
  let next = 0;
  const launch = () => {
    while (underWay < cfg.concurrency && next < cfg.inboxes.length) {
      const inbox = cfg.inboxes[next++]!;
      underWay++;
      void post(inbox, body, digest).then(() => {
        underWay--;
        launch();
        if (underWay === 0 && next >= cfg.inboxes.length) {
          const w = idleWaiters;
          idleWaiters = [];
          for (const f of w) f();
        }
      });
    }
  };
  launch();
}

process.on('message', (m: Msg) => {
  const reply = (value?: unknown) => process.send?.({ type: 'result', id: m.id, value });
  if (m.type === 'mark') { gauges.mark(); reply(); }
  else if (m.type === 'stats') reply(gauges.stats());
  else if (m.type === 'send') { sendAll(m.body); reply(); }
  else if (m.type === 'idle') {
    if (underWay === 0) reply(outcome);
    else idleWaiters.push(() => reply(outcome));
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', pid: process.pid });
