/**
 * A TCP port that is free on 127.0.0.1 right now (the kernel picks it). Another process could take it before
 * rank 0 binds it; on loopback, within the few milliseconds until the workers start, that is unlikely, and
 * rank 0's store then fails with a clear "address in use" error rather than anything silent.
 */
import { createServer } from "node:net";

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error("the kernel assigned no port"))));
    });
  });
}
