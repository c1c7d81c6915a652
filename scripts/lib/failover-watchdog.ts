import postgres from "postgres";
import { embeddedAdminClient } from "./embedded-postgres";
import type { EmbeddedPostgresPair } from "./embedded-replica";

/** What one probe of the primary found: it answered, or it refused, or it did not answer in time. */
export type ProbeResult = "answered" | "refused" | "timed out";

/**
 * Promotes the pair's standby once the primary has failed every probe for `downForMs` on end,
 * `failedProbes` probes at least. A probe is `select 1` on a fresh connection, which must answer
 * within `probeTimeoutMs`: a server that is gone refuses at once, and a hung one (stopped, its
 * disk full, cut off by the network) accepts connections, or lets the kernel accept them for it,
 * and never answers.
 *
 * False failovers are kept unlikely by generous defaults: a fresh connection's `select 1` waits
 * for no lock and no other query, so a primary that is merely busy (a long query, a lock held,
 * every core taken by a burst of claims) answers it in milliseconds, while the timeout is 5 s;
 * an answer that is an error (too many connections, shutting down) is an answer; and a hung
 * primary is promoted away only after three probes in a row went unanswered, 15 s at least. A
 * refusing one is promoted after `downForMs` (3 s), some twelve refused probes.
 *
 * The promotion fences the old primary first (pair.promote SIGKILLs it if it still runs, which
 * ends a stopped process too, and pair.json names the new primary), and the watchdog never
 * starts it again: it comes back only through `pair.rejoin()`, rebuilt as the new primary's
 * standby. After a promotion it has no standby to promote and waits for one.
 */
export function startFailoverWatchdog(
  pair: EmbeddedPostgresPair,
  options: {
    downForMs?: number;
    failedProbes?: number;
    probeTimeoutMs?: number;
    intervalMs?: number;
    log?: (line: string) => void;
    onProbe?: (result: ProbeResult) => void;
    onPromoted?: () => void;
  } = {},
): { stop: () => Promise<void> } {
  const downForMs = options.downForMs ?? 3000;
  const failedProbes = options.failedProbes ?? 3;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 250;
  const log = options.log ?? (() => {});
  let stopped = false;
  let downSince: number | undefined;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const check = async () => {
    const standby = pair.standby;
    if (!standby) {
      downSince = undefined;
      failures = 0;
      return;
    }
    const startedAt = Date.now();
    const result = await probe(pair.primary.port, probeTimeoutMs);
    options.onProbe?.(result);
    if (result === "answered") {
      downSince = undefined;
      failures = 0;
      return;
    }
    // Down since the first failed probe began: a hung server was already down while it waited.
    downSince ??= startedAt;
    failures++;
    const needed = result === "timed out" ? failedProbes : 1;
    if (failures < needed || Date.now() - downSince < downForMs) return;
    log(
      `PostgreSQL primary on port ${pair.primary.port} ${result === "refused" ? "down" : "not answering"} for ${Date.now() - downSince} ms (${failures} probes): promoting ${standby.port}`,
    );
    downSince = undefined;
    failures = 0;
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

/**
 * `select 1` on a fresh connection to the server on `port`, within `timeoutMs` from the connect
 * on. An error the server sent is an answer; a refused, reset or silent connection is none.
 */
async function probe(port: number, timeoutMs: number): Promise<ProbeResult> {
  const sql = embeddedAdminClient(port, {
    connect_timeout: timeoutMs / 1000,
    fetch_types: false,
    connection: { application_name: "prizeledger-watchdog" },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = sql`select 1`.then(
      (): ProbeResult => "answered",
      (error: unknown): ProbeResult =>
        error instanceof postgres.PostgresError
          ? "answered"
          : (error as { code?: string }).code === "CONNECT_TIMEOUT"
            ? "timed out"
            : "refused",
    );
    const late = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(() => resolve("timed out"), timeoutMs);
    });
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
    // Does not wait for a hung server to close: the connection goes with the fenced server.
    await sql.end({ timeout: 0 });
  }
}
