/**
 * The listening socket and its connections: keep-alive like an embedded web server, every
 * socket tracked so faults can cut connections, and going offline and back on the same port.
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** Embedded meters close idle keep-alive connections after a few seconds. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

export class SimServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private listening = false;

  constructor(listener: RequestListener, tls: TlsMaterial | undefined) {
    this.server =
      tls === undefined ? createHttpServer(listener) : createHttpsServer({ cert: tls.cert, key: tls.key }, listener);
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Listens on `port`, or on the port used before when going back online. */
  listen(host: string, port: number): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host, port: this.boundPort === 0 ? port : this.boundPort }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address !== null && typeof address === 'object') this.boundPort = address.port;
        this.listening = true;
        resolve();
      });
    });
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Stops listening and cuts every connection, so clients see refused connections. */
  stop(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.dropConnections();
    });
  }
}
