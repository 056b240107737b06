// A loopback server speaking the localtunnel protocol, so the real localtunnel client can be
// tested end to end: a control endpoint that registers a tunnel, a TCP port the client
// opens its tunnel sockets to, and a public port whose connections are relayed, raw bytes
// both ways, over one tunnel socket each (the Host header arrives exactly as sent).
// One tunnel per fixture: every public connection goes to the one registered client.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { freePort } from './outpost';

export interface LocalTunnelServerOptions {
  /** Loopback address for all three ports (127.0.4.x). */
  ip: string;
  /** The id (subdomain) handed out for a request; default: the requested one, else a random one. */
  assign?: (requested: string | null) => string;
  /** The URL reported to the client; default the public port's own URL (the id is not part of it). */
  urlFor?: (id: string, publicUrl: string) => string;
  /** Tunnel sockets the client should open. Default 4. */
  maxConnCount?: number;
  /** How long a public connection waits for a free tunnel socket before a 504. Default 2 s. */
  socketWaitMs?: number;
}

const SUBDOMAIN = /^(?:[a-z0-9][a-z0-9-]{4,63}[a-z0-9]|[a-z0-9]{4,63})$/;

export class LocalTunnelServer {
  controlUrl = '';
  publicUrl = '';
  tunnelPort = 0;
  /** Every registration: what was asked for and what was handed out. */
  readonly registrations: { requested: string | null; id: string }[] = [];
  /** What public clients sent, per connection (capped), for `relayed`. */
  private readonly sent: string[] = [];
  /** Milliseconds a public connection waits for a tunnel socket; may be changed between tests. */
  socketWaitMs: number;
  /** Delay before answering a registration (to test the client's deadline). */
  registrationDelayMs = 0;
  private control: HttpServer | undefined;
  private tunnel: TcpServer | undefined;
  private publicServer: TcpServer | undefined;
  private readonly idle: Socket[] = [];
  private readonly waiters: ((s: Socket | null) => void)[] = [];
  private readonly delayed = new Map<NodeJS.Timeout, () => void>();
  private readonly tunnelSockets = new Set<Socket>();
  private readonly publicConns = new Set<Socket>();

  constructor(private readonly opts: LocalTunnelServerOptions) {
    this.socketWaitMs = opts.socketWaitMs ?? 2_000;
  }

  async start(): Promise<this> {
    const [controlPort, publicPort] = [await freePort(this.opts.ip), await freePort(this.opts.ip)];
    this.controlUrl = `http://${this.opts.ip}:${controlPort}`;
    this.publicUrl = `http://${this.opts.ip}:${publicPort}`;
    this.control = createHttpServer((req, res) => {
      const path = new URL(req.url ?? '/', this.controlUrl);
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path.pathname === '/api/status') return reply(200, { tunnels: this.registrations.length ? 1 : 0 });
      const requested = path.search === '?new' ? null : path.pathname.slice(1);
      if (requested !== null && !SUBDOMAIN.test(requested)) return reply(403, { message: 'Invalid subdomain' });
      const id = this.opts.assign?.(requested) ?? requested ?? `t${Math.random().toString(36).slice(2, 10)}`;
      this.registrations.push({ requested, id });
      const url = this.opts.urlFor?.(id, this.publicUrl) ?? this.publicUrl;
      const answer = () => reply(200, { id, port: this.tunnelPort, url, max_conn_count: this.opts.maxConnCount ?? 4 });
      if (this.registrationDelayMs <= 0) return answer();
      const timer = setTimeout(() => {
        this.delayed.delete(timer);
        answer();
      }, this.registrationDelayMs);
      this.delayed.set(timer, answer);
    });
    await new Promise<void>((r) => this.control!.listen(controlPort, this.opts.ip, () => r()));
    this.tunnelPort = await freePort(this.opts.ip);
    await this.acceptTunnelSockets();
    this.publicServer = createTcpServer((conn) => this.relay(conn));
    await new Promise<void>((r) => this.publicServer!.listen(publicPort, this.opts.ip, () => r()));
    return this;
  }

  /** The head (request line and headers) of every relayed public request, as it went into the tunnel. */
  get relayed(): string[] {
    const heads: string[] = [];
    for (const text of this.sent) {
      // Requests follow each other on a keep-alive connection: head, then Content-Length bytes of body.
      let at = 0;
      while (at < text.length) {
        const end = text.indexOf('\r\n\r\n', at);
        if (end < 0) break;
        const head = text.slice(at, end);
        heads.push(head);
        at = end + 4 + Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      }
    }
    return heads;
  }

  /** Tunnel sockets connected and waiting for a public connection. */
  get idleSockets(): number {
    return this.idle.length;
  }

  /** Destroys every tunnel socket (and the public connections on them); the client opens new ones. */
  dropSockets(): void {
    for (const s of this.tunnelSockets) s.destroy();
    this.idle.length = 0;
  }

  /** Closes the tunnel port and drops all sockets: the client's new sockets are refused (a tunnel error). */
  async refuseTunnelSockets(): Promise<void> {
    const server = this.tunnel;
    this.tunnel = undefined;
    this.dropSockets();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }

  /** (Re)opens the tunnel port, on the same port number as before. */
  async acceptTunnelSockets(): Promise<void> {
    if (this.tunnel) return;
    const server = createTcpServer((socket) => {
      this.track(this.tunnelSockets, socket);
      socket.setKeepAlive(true);
      socket.once('close', () => {
        const i = this.idle.indexOf(socket);
        if (i >= 0) this.idle.splice(i, 1);
      });
      this.release(socket);
    });
    this.tunnel = server;
    await new Promise<void>((r) => server.listen(this.tunnelPort, this.opts.ip, () => r()));
  }

  async close(): Promise<void> {
    // Answer delayed registrations now: a client whose request failed would retry it forever.
    if (this.delayed.size > 0) {
      for (const [timer, answer] of this.delayed) {
        clearTimeout(timer);
        answer();
      }
      this.delayed.clear();
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const w of this.waiters.splice(0)) w(null);
    this.dropSockets();
    for (const c of this.publicConns) c.destroy();
    this.control?.closeAllConnections();
    await Promise.all([this.control, this.tunnel, this.publicServer].map((s) => new Promise<void>((r) => (s ? s.close(() => r()) : r()))));
    this.tunnel = undefined;
  }

  private track(set: Set<Socket>, socket: Socket): void {
    set.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => set.delete(socket));
  }

  /** A tunnel socket is free: give it to the oldest waiting public connection, or keep it. */
  private release(socket: Socket): void {
    if (socket.destroyed) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(socket);
    else this.idle.push(socket);
  }

  private take(): Promise<Socket | null> {
    let socket = this.idle.shift();
    while (socket?.destroyed) socket = this.idle.shift();
    if (socket) return Promise.resolve(socket);
    return new Promise((resolve) => {
      const waiter = (s: Socket | null) => {
        clearTimeout(timer);
        resolve(s);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(null);
      }, this.socketWaitMs);
      this.waiters.push(waiter);
    });
  }

  private relay(conn: Socket): void {
    this.track(this.publicConns, conn);
    conn.pause();
    const index = this.sent.push('') - 1;
    conn.on('data', (chunk: Buffer) => {
      if (this.sent[index]!.length < 256 * 1024) this.sent[index] += chunk.toString('latin1');
    });
    void this.take().then((socket) => {
      if (conn.destroyed) return socket && this.release(socket);
      if (!socket) {
        conn.end('HTTP/1.1 504 Gateway Timeout\r\ncontent-type: text/plain\r\ncontent-length: 18\r\nconnection: close\r\n\r\nno tunnel socket\r\n');
        return;
      }
      // One public connection per tunnel socket; when either side goes, both go, and the
      // client replaces its tunnel socket.
      conn.pipe(socket).pipe(conn);
      conn.once('close', () => socket.destroy());
      socket.once('close', () => conn.destroy());
      conn.resume();
    });
  }
}
