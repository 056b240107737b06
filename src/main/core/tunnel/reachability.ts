// "Reachable from the internet?": fetch our own actor through the public URL the way a
// remote server would (AS2 Accept, no cookies), and check that it is really ours.
//
// This deliberately does not use HttpClient: its SSRF guard refuses private and loopback
// addresses, and this request targets our own public URL (which, behind a tunnel or in
// tests, may well resolve to one). Only ever the pinned actor URI is fetched, never a URL
// built from a request.
import { EventEmitter } from 'node:events';
import { request } from 'undici';
import { DEFAULT_TUNNEL } from '../config';

const DEFAULT_REACHABILITY = DEFAULT_TUNNEL.reachability;

export interface ReachabilityReport {
  reachable: boolean;
  /** When the check finished (epoch ms). */
  checkedAt: number;
  /** Request to last byte, when reachable. */
  latencyMs: number | null;
  /** Why not reachable, for the user. */
  error: string | null;
}

export interface ReachabilityOptions {
  /** The actor URI (`<pinned origin>/users/<name>`); read at every check. */
  actorUri: () => string;
  /** Time between checks. Default 5 min. */
  intervalMs?: number;
  /** Deadline for one check. Default 10 s. */
  timeoutMs?: number;
  /** Largest document read. Default 1 MiB. */
  maxBytes?: number;
  userAgent?: string;
  now?: () => number;
}

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** One check. Never throws. */
export async function checkReachability(
  actorUri: string, opts: { timeoutMs?: number; maxBytes?: number; userAgent?: string; now?: () => number } = {},
): Promise<ReachabilityReport> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REACHABILITY.timeoutMs;
  const maxBytes = opts.maxBytes ?? DEFAULT_REACHABILITY.maxBytes;
  const started = performance.now();
  const fail = (error: string): ReachabilityReport => ({ reachable: false, checkedAt: now(), latencyMs: null, error });
  try {
    const res = await request(actorUri, {
      method: 'GET',
      headers: {
        accept: ACCEPT,
        // The public localtunnel server shows browsers a reminder page unless this is set.
        'bypass-tunnel-reminder': '1',
        'user-agent': opts.userAgent ?? 'Outpost reachability check',
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      // A fresh connection every time: a pooled one could outlive the path it proves.
      reset: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        return fail(`the answer is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode} from ${actorUri}`);
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return fail(`${actorUri} did not answer with JSON (${String(res.headers['content-type'] ?? 'no content type')}); ` +
        'something else answers at this address');
    }
    const id = doc && typeof doc === 'object' ? (doc as { id?: unknown }).id : undefined;
    if (id !== actorUri) return fail(`the actor at ${actorUri} is someone else (id ${JSON.stringify(id)})`);
    return { reachable: true, checkedAt: now(), latencyMs: Math.round(performance.now() - started), error: null };
  } catch (err) {
    return fail(describe(err, timeoutMs));
  }
}

/** Checks now, then every `intervalMs`, and emits 'report' after each check. */
export class ReachabilityMonitor extends EventEmitter<{ report: [ReachabilityReport] }> {
  private lastReport: ReachabilityReport | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReachabilityReport> | undefined;
  private active = false;

  constructor(private readonly options: ReachabilityOptions) {
    super();
  }

  get last(): ReachabilityReport | null {
    return this.lastReport;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    void this.checkNow();
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Checks at once (joining a check under way) and restarts the interval. */
  checkNow(): Promise<ReachabilityReport> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.running = checkReachability(this.options.actorUri(), this.options).then((report) => {
      this.running = undefined;
      this.lastReport = report;
      if (this.active) {
        this.timer = setTimeout(() => void this.checkNow(), this.options.intervalMs ?? DEFAULT_REACHABILITY.intervalMs);
        this.timer.unref();
      }
      this.emit('report', report);
      return report;
    });
    return this.running;
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || /timeout/i.test((err as { code?: string }).code ?? '')) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const code = (err as NodeJS.ErrnoException).code;
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const causeCode = (cause as NodeJS.ErrnoException | undefined)?.code;
  const parts = [err.message, cause?.message].filter(Boolean).join(': ');
  const c = causeCode ?? code;
  return c && !parts.includes(c) ? `${parts} (${c})` : parts;
}
