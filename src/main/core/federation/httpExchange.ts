// One outgoing HTTP exchange on node:http(s), as HttpClient makes them: the request goes out
// through a keep-alive agent (keepAliveAgents.ts), one deadline covers connecting, the answer
// and its body, connecting has its own shorter deadline, and a request that meets a kept-alive
// socket the server closed while it sat idle goes out once more on a fresh connection (the
// server never saw it). No AbortSignal, no option clones: one timer and a few listeners each.
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

export interface ExchangeInit {
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
  agent: Agent;
  /** The whole exchange, body included. */
  timeoutMs: number;
  /** Opening a new connection (DNS, TCP, TLS). */
  connectTimeoutMs: number;
}

/** What a reused idle socket the server had already closed fails with. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Raised when a deadline passes; HttpClient turns it into FetchError('timeout'). */
export class ExchangeTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export class Exchange {
  /** Settles with the response head; the body is read with `readBody` or piped. */
  readonly head: Promise<IncomingMessage>;
  /** Why the exchange was cut off (deadline, cap, shutdown), once it was. */
  error: Error | undefined;
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private readonly timer: NodeJS.Timeout;
  private settled = false;
  private resolveHead!: (res: IncomingMessage) => void;
  private rejectHead!: (err: Error) => void;

  constructor(private readonly url: URL, private readonly init: ExchangeInit, private readonly onSettled: (x: Exchange) => void) {
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.timer = setTimeout(() => this.fail(new ExchangeTimeout(`${url.host} timed out`)), init.timeoutMs);
    this.send(false);
  }

  /** Cuts the exchange off: the head (if still awaited) rejects and the body errors with `err`. */
  fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.rejectHead(err);
    if (this.res) this.res.destroy(err);
    else this.req?.destroy();
    this.settle();
  }

  /** The body has been read (or dropped): the exchange is over. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.onSettled(this);
  }

  /** The whole body, or a rejection once it passes `maxBytes` (`tooLarge` makes the error). */
  readBody(res: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) this.fail(tooLarge());
        else chunks.push(chunk);
      });
      res.once('end', () => {
        ended = true;
        this.settle();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      });
      res.once('error', (err) => reject(this.error ?? err));
      res.once('close', () => {
        if (ended) return;
        const err = this.error ?? Object.assign(new Error(`${this.url.host} closed the connection mid-answer`), { code: 'ECONNRESET' });
        this.fail(err);
        reject(err);
      });
    });
  }

  private send(retry: boolean): void {
    const { method, headers, body, agent, connectTimeoutMs } = this.init;
    const req = (this.url.protocol === 'https:' ? httpsRequest : httpRequest)(this.url, { method, headers, agent });
    this.req = req;
    req.once('socket', (socket: Socket) => {
      if (!socket.connecting) return; // a kept-alive one
      const timer = setTimeout(() => this.fail(new ExchangeTimeout(`${this.url.host}: connecting timed out`)), connectTimeoutMs);
      // TLS included: the handshake is part of opening the connection.
      socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.once('response', (res: IncomingMessage) => {
      if (this.error) return void res.destroy();
      this.res = res;
      this.resolveHead(res);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (this.error || this.res) return;
      if (!retry && req.reusedSocket && STALE_SOCKET.has(err.code ?? '')) return this.send(true);
      this.fail(err);
    });
    req.end(body);
  }
}
