import postgres from "postgres";
import { embeddedAdminClient } from "./embedded-postgres";
import type { EmbeddedPostgresPair, PostgresServer } from "./embedded-replica";

/**
 * What one probe of a server found: it answered, or it refused, or it did not answer in time (or
 * the connection broke). "No verdict": the probe failed on the watchdog's side (out of file
 * descriptors, of memory, of local ports), which says nothing about the server.
 */
export type ProbeResult = "answered" | "refused" | "timed out" | "no verdict";

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
 *
 * While the primary answers, the standby is watched too: with one synchronous standby, every
 * commit waits for it, so a standby that died or hangs would stop every write. Once it has not
 * answered (or not streamed, as the primary's pg_stat_replication shows) for `standbyDownForMs`
 * (10 s; a hung one three probes in a row too, 15 s at least), the pair drops it: it is never
 * promoted after that (it misses the commits made without it), and the primary commits alone, an
 * acknowledged commit on one server only, until `onStandbyDropped` has it rebuilt and in sync.
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
    standbyDownForMs?: number;
    onStandbyDropped?: () => void;
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
  const standbyDownForMs = options.standbyDownForMs ?? 10_000;
  let standbyDownSince: number | undefined;
  let standbyFailures = 0;
  let timer: NodeJS.Timeout | undefined;

  /**
   * Drops the standby once it has failed every probe for `standbyDownForMs`, and (hung) three
   * probes in a row, by the primary's rule: a standby slowed by a burst is not dropped.
   */
  const checkStandby = async (standby: PostgresServer) => {
    const startedAt = Date.now();
    const result = await probeStandby(pair.primary.port, standby, probeTimeoutMs);
    if (result === "no verdict") return;
    if (result === "answered") {
      standbyDownSince = undefined;
      standbyFailures = 0;
      return;
    }
    standbyDownSince ??= startedAt;
    standbyFailures++;
    const downFor = Date.now() - standbyDownSince;
    const needed = result === "timed out" ? failedProbes : 1;
    if (standbyFailures < needed || downFor < standbyDownForMs) return;
    standbyDownSince = undefined;
    standbyFailures = 0;
    log(
      `PostgreSQL standby on port ${standby.port} ${result === "refused" ? "down or not streaming" : "not answering"} for ${downFor} ms: dropping it, so commits no longer wait for it. UNTIL IT IS REBUILT, AN ACKNOWLEDGED COMMIT IS ON THE PRIMARY (port ${pair.primary.port}) ONLY`,
    );
    try {
      await pair.dropStandby();
    } finally {
      // Even if the primary could not be told to stop waiting: the rebuild tells it again first.
      options.onStandbyDropped?.();
    }
  };

  const check = async () => {
    const standby = pair.standby;
    if (!standby) {
      downSince = undefined;
      failures = 0;
      standbyDownSince = undefined;
      standbyFailures = 0;
      return;
    }
    const startedAt = Date.now();
    const result = await probe(pair.primary.port, probeTimeoutMs);
    options.onProbe?.(result);
    if (result === "no verdict") return;
    if (result === "answered") {
      downSince = undefined;
      failures = 0;
      await checkStandby(standby);
      return;
    }
    // The standby is promoted, not dropped, while the primary is down.
    standbyDownSince = undefined;
    standbyFailures = 0;
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
 * Errors that say the server or the way to it failed: a connection that was cut, reset or never
 * answered. Anything else that is no PostgreSQL error (EMFILE, ENOMEM, EADDRNOTAVAIL…) failed on
 * the watchdog's side, and must not fail over a healthy primary.
 */
const brokenConnectionCodes = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** What a probe's error says about the server. */
export function probeVerdict(error: unknown): ProbeResult {
  if (error instanceof postgres.PostgresError) return "answered";
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "ECONNREFUSED") return "refused";
  return typeof code === "string" && brokenConnectionCodes.has(code) ? "timed out" : "no verdict";
}

/**
 * `query` on a fresh connection to the server on `port`, within `timeoutMs` from the connect on.
 * An error the server sent is an answer; a refused, reset or silent connection is none.
 */
async function probe(
  port: number,
  timeoutMs: number,
  query: (sql: postgres.Sql) => Promise<boolean> = selectOne,
): Promise<ProbeResult> {
  const sql = embeddedAdminClient(port, {
    connect_timeout: timeoutMs / 1000,
    fetch_types: false,
    connection: { application_name: "prizeledger-watchdog" },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = query(sql).then(
      (ok): ProbeResult => (ok ? "answered" : "refused"),
      probeVerdict,
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

async function selectOne(sql: postgres.Sql): Promise<boolean> {
  await sql`select 1`;
  return true;
}

/**
 * The standby answers a probe of its own, and the primary sees it streaming. A stopped standby
 * stays listed on the primary until `wal_sender_timeout` (60 s): its own probe finds it sooner.
 */
async function probeStandby(
  primaryPort: number,
  standby: PostgresServer,
  timeoutMs: number,
): Promise<ProbeResult> {
  const own = await probe(standby.port, timeoutMs);
  if (own !== "answered") return own;
  return probe(primaryPort, timeoutMs, async (sql) => {
    const rows = await sql`
      select 1 from pg_stat_replication
      where application_name = ${standby.name} and state = 'streaming'`;
    return rows.length > 0;
  });
}
