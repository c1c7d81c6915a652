import { connect } from "node:net";
import type { EmbeddedPostgresPair } from "./embedded-replica";

/**
 * Promotes the pair's standby once the primary has refused connections for `downForMs` on end.
 * The promotion fences the old primary first (pair.promote SIGKILLs it if it still runs), and
 * the watchdog never starts it again: it comes back only through `pair.rejoin()`, rebuilt as the
 * new primary's standby. After a promotion it has no standby to promote and waits for one.
 */
export function startFailoverWatchdog(
  pair: EmbeddedPostgresPair,
  options: {
    downForMs?: number;
    intervalMs?: number;
    log?: (line: string) => void;
    onPromoted?: () => void;
  } = {},
): { stop: () => Promise<void> } {
  const downForMs = options.downForMs ?? 3000;
  const intervalMs = options.intervalMs ?? 250;
  const log = options.log ?? (() => {});
  let stopped = false;
  let downSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const check = async () => {
    const standby = pair.standby;
    if (!standby) {
      downSince = undefined;
      return;
    }
    if (await accepts(pair.primary.port)) {
      downSince = undefined;
      return;
    }
    downSince ??= Date.now();
    if (Date.now() - downSince < downForMs) return;
    log(
      `PostgreSQL primary on port ${pair.primary.port} down for ${downForMs} ms: promoting ${standby.port}`,
    );
    downSince = undefined;
    await pair.promote();
    options.onPromoted?.();
  };
  let running = Promise.resolve();
  const tick = () => {
    running = check()
      .catch((error: unknown) => log(`failover watchdog: ${String(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** Whether a TCP connection to the port opens: a refused or reset one means the server is gone. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}
