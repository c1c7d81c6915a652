import { sql } from "drizzle-orm";
import type { DbOrTx } from "./client";
import { executePrepared } from "./prepared";

/**
 * The LISTEN/NOTIFY channels between processes: `ledger_entries` wakes the anchoring sequencer,
 * `analytics` (payload: a drop id, or empty for all) refreshes open dashboards and drop pages,
 * `api_tokens` (payload: a user id, or empty for all) evicts that account's verified tokens
 * from every web process's cache. Triggers send `api_tokens` (migration 0012), so no writer can forget it.
 * `wallet` (payload: user ids joined by commas) tells open pages that those players' balances
 * moved; the journal sends it with every posting. `job_outbox` wakes the worker's relay
 * (lib/jobs/outbox.ts). `delivery` (payload: player ids joined by commas) tells open pages that
 * their deliveries changed: recordDeliveryStep sends it, and the trigger that makes
 * deliveries follow their redemptions (migration 0019). `notifications` (payload: player ids
 * joined by commas) tells open pages that those players' notifications changed (a new one, or
 * some marked read). `token_payouts` wakes the payout engine: a crypto payout became due
 * (requested with a wallet, or a wallet was linked). `checkpoints` wakes the worker's witness
 * submissions: the log signed a checkpoint.
 */
export type NotifyChannel =
  | "ledger_entries"
  | "analytics"
  | "api_tokens"
  | "wallet"
  | "job_outbox"
  | "delivery"
  | "notifications"
  | "token_payouts"
  | "checkpoints";

/** Notifies listeners on every instance; in a transaction, delivered at its commit. */
export async function notify(db: DbOrTx, channel: NotifyChannel, payload = ""): Promise<void> {
  await executePrepared(db, sql`select pg_notify(${channel}, ${payload})`);
}
