import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Whether this process could listen on `host`:`port` right now (nothing else holds it). */
export function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Why the ports a start-up is about to listen on cannot all be had, or undefined: two uses of
 * one port, or a port something else (a leftover instance or balancer) already listens on.
 */
export async function portsProblem(
  uses: Array<{ what: string; port: number; host: string }>,
): Promise<string | undefined> {
  const seen = new Map<number, string>();
  for (const use of uses) {
    const other = seen.get(use.port);
    if (other) return `${use.what} and ${other} would both use port ${use.port}: move one`;
    seen.set(use.port, use.what);
  }
  for (const use of uses) {
    if (!(await canListen(use.port, use.host))) {
      return `port ${use.port} (${use.what}) on ${use.host} is already in use: stop what holds it or move it`;
    }
  }
  return undefined;
}
