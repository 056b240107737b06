// A loopback TCP relay from `localhost:<ephemeral>` to the address the public server
// really listens on.
//
// Why: the localtunnel client connects each tunnel socket to `local_host || 'localhost'`,
// and when `local_host` is set it also rewrites the first Host header of every request to
// that value. Remote servers sign the public Host (draft-cavage `host`, RFC 9421
// `@authority`), so a rewritten Host breaks every signature. We therefore never pass
// `local_host`; when the public server listens somewhere 'localhost' does not reach
// (e.g. 127.0.0.1 while 'localhost' resolves to ::1, or a 127.x.y.z test address), the
// client connects here instead and the bytes are relayed untouched.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Logger } from '../logger';
import { DEFAULT_TUNNEL } from '../config';

/** How long a connection whose target refused waits before closing (the tunnel client then opens a new one). */

export class LocalForwarder {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private boundPort = 0;

  constructor(private readonly target: { host: string; port: number }, private readonly log: Logger) {}

  /** The port on 'localhost' to point the tunnel client at (0 before listen()). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * Listens on every address 'localhost' resolves to, on one port, so whichever address
   * the client's connect picks lands here (the first one must succeed; the others are best effort).
   */
  async listen(): Promise<number> {
    const addresses = await lookup('localhost', { all: true });
    if (addresses.length === 0) throw new Error("'localhost' does not resolve");
    for (const [i, { address }] of addresses.entries()) {
      const server = createServer({ allowHalfOpen: true }, (socket) => this.relay(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(i === 0 ? 0 : this.boundPort, address, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        if (i === 0) throw err;
        this.log.warn(`tunnel relay: cannot also listen on ${address}:${this.boundPort}: ${String(err)}`);
        continue;
      }
      server.on('error', (err) => this.log.warn(`tunnel relay: ${String(err)}`));
      this.servers.push(server);
      if (i === 0) {
        const addr = server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : 0;
      }
    }
    return this.boundPort;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private relay(down: Socket): void {
    this.track(down);
    down.pause();
    // Half-open both ways, so an end in one direction is passed on, not turned into a close.
    const up = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    this.track(up);
    let connected = false;
    up.once('connect', () => {
      connected = true;
      up.setNoDelay(true);
      down.setNoDelay(true);
      down.pipe(up).pipe(down);
      down.resume();
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) return down.destroy();
      // The public server is not (yet) listening. Closing at once would make the tunnel
      // client replace its tunnel socket in a tight loop; hold the connection a moment.
      this.log.warn(`tunnel relay: ${this.target.host}:${this.target.port}: ${err.code ?? err.message}`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        down.destroy();
      }, DEFAULT_TUNNEL.refusedHoldMs);
      this.timers.add(t);
    });
    down.on('error', () => up.destroy());
    down.once('close', () => up.destroy());
    up.once('close', () => {
      if (connected) down.destroy();
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
