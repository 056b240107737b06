// The connection pools behind HttpClient: one keep-alive node:http Agent and one node:https
// Agent, a connection cap per origin, and ONE bound on idle sockets across every origin —
// a fan-out to 5000 hosts must not hold 5000 idle sockets (and their file descriptors) for
// the keep-alive period: beyond the bound, the socket idle the longest is closed. Every
// connection of either agent resolves its host through the guarded lookup it is given.
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';

export interface KeepAliveOptions {
  /** Connections per origin (in use and idle). */
  connectionsPerOrigin: number;
  /** Idle sockets kept across all origins; 0 closes every socket after its request. */
  idleSocketsMax: number;
  /** An idle socket is closed after this (sooner when the server's Keep-Alive header says so). */
  idleTimeoutMs: number;
  /** DNS lookup of every connection (the SSRF guard). */
  lookup: LookupFunction;
}

/** The idle sockets of both agents, oldest first. */
class IdleSockets {
  private readonly sockets = new Set<Socket>();
  /** Sockets whose 'close' we already listen to (a socket is parked again after each reuse). */
  private readonly watched = new WeakSet<Socket>();

  constructor(private readonly max: number) {}

  /** The socket has just become idle: whether to keep it. Closes the oldest beyond the bound. */
  park(socket: Socket): boolean {
    if (this.max <= 0) return false;
    if (!this.watched.has(socket)) {
      this.watched.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    this.sockets.add(socket);
    while (this.sockets.size > this.max) {
      const oldest = this.sockets.values().next().value as Socket;
      this.sockets.delete(oldest);
      oldest.destroy();
    }
    return true;
  }

  /** The socket carries a request again. */
  taken(socket: Socket): void {
    this.sockets.delete(socket);
  }

  get size(): number {
    return this.sockets.size;
  }
}

type AgentClass = typeof HttpAgent;

/** An agent whose idle sockets count against the shared bound and time out after idleTimeoutMs. */
function boundedAgent(Base: AgentClass, options: AgentOptions, idle: IdleSockets, idleTimeoutMs: number): HttpAgent {
  const agent = new Base(options);
  const keep = agent.keepSocketAlive.bind(agent) as (socket: Socket) => boolean;
  const reuse = agent.reuseSocket.bind(agent) as (socket: Socket, req: unknown) => void;
  // node's Agent only shortens an agent-wide `timeout` by the server's hint; an agent-wide
  // `timeout` would also apply to sockets in use, so the idle deadline is set here instead.
  Object.assign(agent, {
    keepSocketAlive(socket: Socket): boolean {
      if (!keep(socket)) return false;
      if (socket.timeout === 0 || (socket.timeout ?? 0) > idleTimeoutMs) socket.setTimeout(idleTimeoutMs);
      return idle.park(socket);
    },
    reuseSocket(socket: Socket, req: unknown): void {
      idle.taken(socket);
      socket.setTimeout(0);
      reuse(socket, req);
    },
  });
  return agent;
}

export class KeepAliveAgents {
  readonly http: HttpAgent;
  readonly https: HttpAgent;
  private readonly idle: IdleSockets;

  constructor(o: KeepAliveOptions) {
    this.idle = new IdleSockets(o.idleSocketsMax);
    const options: AgentOptions = {
      keepAlive: true, maxSockets: o.connectionsPerOrigin, maxFreeSockets: o.connectionsPerOrigin, scheduling: 'lifo', lookup: o.lookup,
    } as AgentOptions;
    this.http = boundedAgent(HttpAgent, options, this.idle, o.idleTimeoutMs);
    this.https = boundedAgent(HttpsAgent as unknown as AgentClass, options, this.idle, o.idleTimeoutMs);
  }

  for(url: URL): HttpAgent {
    return url.protocol === 'https:' ? this.https : this.http;
  }

  /** Idle sockets kept open right now (both agents). */
  get idleSockets(): number {
    return this.idle.size;
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
