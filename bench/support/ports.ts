// Shared by the benchmarks and the tests that start servers of their own.
import { createServer, type AddressInfo } from 'node:net';

/** A loopback port nobody listens on now, for a server whose port must be known before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
  });
}
