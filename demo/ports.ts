/** Finding out, before anything starts, whether a port is free, so a busy one gets a clear message. */
import net from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly option: string,
  ) {
    super(`port ${port} (${what}) is already in use. Choose another one: npm start -- ${option} <port>`);
    this.name = 'PortInUseError';
  }
}

/** Resolves with the port (a free one when 0 is asked for), or rejects with PortInUseError. */
export function claimPort(port: number, host: string, what: string, option: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortInUseError(port, what, option) : error);
    });
    server.listen(port, host, () => {
      const address = server.address();
      const claimed = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(claimed));
    });
  });
}
