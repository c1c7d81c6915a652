import { sql } from "drizzle-orm";
import type { DbOrTx } from "./client";

/**
 * The LISTEN/NOTIFY channels between processes: `ledger_entries` wakes the anchoring sequencer,
 * `analytics` (payload: a drop id, or empty for all) refreshes open dashboards.
 */
export type NotifyChannel = "ledger_entries" | "analytics";

/** Notifies listeners on every instance; in a transaction, delivered at its commit. */
export async function notify(db: DbOrTx, channel: NotifyChannel, payload = ""): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
