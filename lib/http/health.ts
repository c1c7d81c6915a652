import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { logError } from "@/lib/log";

export type Check = { ok: boolean; error?: string };
export type Health = { status: "ok" | "degraded"; database: Check; ledger: Check };

/**
 * Runs one check. Its failure is logged in full and answered in fixed words: /api/health is
 * public, and a database error names hosts, databases and users.
 */
async function check(name: "database" | "ledger", probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    logError("health_check_failed", error, { check: name });
    return { ok: false, error: `the ${name} is not reachable` };
  }
}

async function probeLedger(rpcUrl: string): Promise<void> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    signal: AbortSignal.timeout(2000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} from the ledger node`);
}

/**
 * A pool whose URL names a primary and its standby waits, while neither is writable (a
 * promotion under way), for one to become so: the probe answers "down" meanwhile instead of
 * holding the load balancer's check.
 */
async function withinTwoSeconds(probe: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2000);
  });
  try {
    await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness: 503 while the database is down; a ledger node that is down only degrades. `db` is
 * called inside the check, so a pool that cannot even be made counts as a database down.
 */
export async function checkHealth(
  db: () => DbOrTx,
  rpcUrl: string | undefined,
): Promise<{ health: Health; httpStatus: 200 | 503 }> {
  const database = await check("database", () => withinTwoSeconds(db().execute(sql`select 1`)));
  const ledger = rpcUrl
    ? await check("ledger", () => probeLedger(rpcUrl))
    : { ok: false, error: "LEDGER_RPC_URL is not set" };
  return {
    health: { status: database.ok && ledger.ok ? "ok" : "degraded", database, ledger },
    httpStatus: database.ok ? 200 : 503,
  };
}
