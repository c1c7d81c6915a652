import "server-only";
import { randomInt, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import type { Currency, WalletAccountKind, WalletTransactionKind } from "./model";

/**
 * The double-entry journal's one way in. Every movement of coins is a transaction whose postings
 * sum to zero per currency; the database checks that and applies them to the balances (migration
 * 0013), and refuses a player balance below zero. This module only finds the accounts and writes.
 *
 * Lock order, so that concurrent writers never deadlock: player accounts first, in id order,
 * then catalog items (all a transaction may take, in one statement), then prize code locks
 * (issuePrizeRedemptions), then counterparty shards, in id order (docs/ARCHITECTURE.md). A writer
 * that checks balances before posting (a round, a redemption) locks its players with
 * lockPlayerAccounts first; postTransactions, called last, locks the shards it picked.
 */

export type SystemAccountKind = Exclude<WalletAccountKind, "player">;

/** A posting's account: a player's wallet, or a counterparty (one of its shards, picked here). */
export type AccountRef =
  | { player: string; currency: Currency }
  | { system: SystemAccountKind; currency: Currency };

export type Posting = {
  account: AccountRef;
  /** Minor units, signed: positive credits the account. */
  amount: number;
  /** Change to the account's SC still to be played through (player SC accounts only). */
  playthrough?: number;
};

export type NewWalletTransaction = {
  /** Set when the caller needs the id before writing (a round's transaction is the round's). */
  id?: string;
  kind: WalletTransactionKind;
  /** Unique across the journal: the same key moves coins once. Namespace it by writer. */
  idempotencyKey: string;
  userId?: string | null;
  region?: string | null;
  actorId?: string | null;
  reason?: string | null;
  subjectId?: string | null;
  postings: Posting[];
};

export type PlayerAccount = {
  id: number;
  userId: string;
  currency: Currency;
  balance: number;
  playthroughDue: number;
};

/** Counterparty shards per kind and currency, made by migration 0013. */
export const SYSTEM_SHARDS = 16;

export class UnbalancedTransactionError extends Error {
  override name = "UnbalancedTransactionError";
}

/** Throws unless the postings sum to zero per currency (the database would refuse them too). */
export function assertBalanced(txn: NewWalletTransaction): void {
  const sums = new Map<Currency, number>();
  for (const p of txn.postings) {
    if (!Number.isSafeInteger(p.amount) || !Number.isSafeInteger(p.playthrough ?? 0)) {
      throw new UnbalancedTransactionError(`${txn.idempotencyKey}: amounts are whole minor units`);
    }
    sums.set(p.account.currency, (sums.get(p.account.currency) ?? 0) + p.amount);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0) {
      throw new UnbalancedTransactionError(
        `${txn.idempotencyKey}: postings in ${currency} sum to ${sum}, not zero`,
      );
    }
  }
}

/**
 * The players' accounts in one currency, opened when missing, locked FOR UPDATE in id order.
 * Hold the lock for the rest of the transaction: the balances read are the ones postings move.
 */
export async function lockPlayerAccounts(
  tx: Tx,
  userIds: readonly string[],
  currency: Currency,
): Promise<Map<string, PlayerAccount>> {
  // Sorted: two transactions opening the same new accounts insert them in the same order.
  const ids = [...new Set(userIds)].sort();
  const accounts = new Map<string, PlayerAccount>();
  if (ids.length === 0) return accounts;
  await executePrepared(
    tx,
    sql`
    insert into wallet_accounts (kind, currency, user_id)
    select 'player', ${currency}::currency, u from unnest(${sql.param(ids)}::uuid[]) as t(u) order by u
    on conflict (user_id, currency) where kind = 'player' do nothing`,
  );
  const rows = await executePrepared<{
    id: string;
    user_id: string;
    balance: string;
    playthrough_due: string;
  }>(
    tx,
    sql`
    select id, user_id, balance, playthrough_due from wallet_accounts
    where kind = 'player' and currency = ${currency}::currency
      and user_id = any(${sql.param(ids)}::uuid[])
    order by id for update`,
  );
  for (const r of rows) {
    accounts.set(r.user_id, {
      id: Number(r.id),
      userId: r.user_id,
      currency,
      balance: Number(r.balance),
      playthroughDue: Number(r.playthrough_due),
    });
  }
  return accounts;
}

type ShardKey = `${SystemAccountKind}:${Currency}:${number}`;
const globalForShards = globalThis as unknown as {
  prizeledgerWalletShards?: Map<ShardKey, number>;
};

/** The id of every counterparty shard: fixed rows, read once per process. */
async function shardIds(db: DbOrTx): Promise<Map<ShardKey, number>> {
  if (globalForShards.prizeledgerWalletShards) return globalForShards.prizeledgerWalletShards;
  const rows = await executePrepared<{
    id: string;
    kind: SystemAccountKind;
    currency: Currency;
    shard: number;
  }>(db, sql`select id, kind, currency, shard from wallet_accounts where kind <> 'player'`);
  const map = new Map<ShardKey, number>();
  for (const r of rows) map.set(`${r.kind}:${r.currency}:${r.shard}`, Number(r.id));
  if (map.size !== 4 * 2 * SYSTEM_SHARDS) {
    throw new Error(
      `wallet counterparty shards missing: found ${map.size} (has migration 0013 run?)`,
    );
  }
  globalForShards.prizeledgerWalletShards = map;
  return map;
}

/**
 * Writes the transactions whose keys are new, with their postings, in one statement each for
 * transactions and postings. Returns the ids of the transactions written, by idempotency key;
 * a key already in the journal is skipped (its coins moved once already).
 */
export async function postTransactions(
  tx: Tx,
  txns: readonly NewWalletTransaction[],
  options: {
    /**
     * Player accounts the caller locked already in this transaction (lockPlayerAccounts), by
     * `${userId}:${currency}`: not locked again, a round trip saved per currency.
     */
    locked?: ReadonlyMap<string, PlayerAccount>;
  } = {},
): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  if (txns.length === 0) return written;
  const keys = new Set<string>();
  for (const t of txns) {
    assertBalanced(t);
    if (keys.has(t.idempotencyKey)) {
      throw new Error(`idempotency key ${t.idempotencyKey} appears twice in one call`);
    }
    keys.add(t.idempotencyKey);
  }
  const ids = txns.map((t) => t.id ?? randomUUID());
  const inserted = await executePrepared<{ id: string; idempotency_key: string }>(
    tx,
    sql`
    insert into wallet_transactions
      (id, kind, idempotency_key, user_id, region, actor_id, reason, subject_id)
    select * from unnest(
      ${sql.param(ids)}::uuid[],
      ${sql.param(txns.map((t) => t.kind))}::wallet_transaction_kind[],
      ${sql.param(txns.map((t) => t.idempotencyKey))}::text[],
      ${sql.param(txns.map((t) => t.userId ?? null))}::uuid[],
      ${sql.param(txns.map((t) => t.region ?? null))}::text[],
      ${sql.param(txns.map((t) => t.actorId ?? null))}::uuid[],
      ${sql.param(txns.map((t) => t.reason ?? null))}::text[],
      ${sql.param(txns.map((t) => t.subjectId ?? null))}::uuid[])
    on conflict (idempotency_key) do nothing
    returning id, idempotency_key`,
  );
  for (const r of inserted) written.set(r.idempotency_key, r.id);
  if (written.size === 0) return written;

  const fresh = txns.flatMap((t) => {
    const id = written.get(t.idempotencyKey);
    return id ? [{ id, txn: t }] : [];
  });
  // Player accounts first (lockPlayerAccounts keeps id order), then the shards.
  const byCurrency = new Map<Currency, string[]>();
  for (const { txn } of fresh) {
    for (const p of txn.postings) {
      if ("player" in p.account) {
        const list = byCurrency.get(p.account.currency) ?? [];
        list.push(p.account.player);
        byCurrency.set(p.account.currency, list);
      }
    }
  }
  const players = new Map<string, number>();
  for (const currency of [...byCurrency.keys()].sort()) {
    const toLock = (byCurrency.get(currency) ?? []).filter((userId) => {
      const account = options.locked?.get(`${userId}:${currency}`);
      if (account) players.set(`${userId}:${currency}`, account.id);
      return !account;
    });
    for (const [userId, account] of await lockPlayerAccounts(tx, toLock, currency)) {
      players.set(`${userId}:${currency}`, account.id);
    }
  }
  const shards = await shardIds(tx);
  const shard = randomInt(SYSTEM_SHARDS);
  const rows: {
    txnId: string;
    accountId: number;
    currency: Currency;
    amount: number;
    playthrough: number;
  }[] = [];
  const systemIds = new Set<number>();
  for (const { id, txn } of fresh) {
    for (const p of txn.postings) {
      const accountId =
        "player" in p.account
          ? players.get(`${p.account.player}:${p.account.currency}`)
          : shards.get(`${p.account.system}:${p.account.currency}:${shard}`);
      if (accountId === undefined) throw new Error("wallet account not found");
      if (!("player" in p.account)) systemIds.add(accountId);
      rows.push({
        txnId: id,
        accountId,
        currency: p.account.currency,
        amount: p.amount,
        playthrough: p.playthrough ?? 0,
      });
    }
  }
  if (systemIds.size > 0) {
    await executePrepared(
      tx,
      sql`
      select id from wallet_accounts where id = any(${sql.param([...systemIds])}::bigint[])
      order by id for update`,
    );
  }
  const moving = rows.filter((r) => r.amount !== 0 || r.playthrough !== 0);
  if (moving.length > 0) {
    await executePrepared(
      tx,
      sql`
      insert into wallet_postings (transaction_id, account_id, currency, amount, playthrough)
      select * from unnest(
        ${sql.param(moving.map((r) => r.txnId))}::uuid[],
        ${sql.param(moving.map((r) => r.accountId))}::bigint[],
        ${sql.param(moving.map((r) => r.currency))}::currency[],
        ${sql.param(moving.map((r) => r.amount))}::bigint[],
        ${sql.param(moving.map((r) => r.playthrough))}::bigint[])`,
    );
  }
  await notifyWalletMoves(tx, [...byCurrency.values()].flat());
  return written;
}

/** A NOTIFY payload is at most 8000 bytes: 200 UUIDs and their commas fit. */
const USERS_PER_NOTIFY = 200;

/** Tells open pages (at commit) whose balances moved. */
export async function notifyWalletMoves(tx: Tx, players: Iterable<string>): Promise<void> {
  const userIds = [...new Set(players)];
  for (let i = 0; i < userIds.length; i += USERS_PER_NOTIFY) {
    await notify(tx, "wallet", userIds.slice(i, i + USERS_PER_NOTIFY).join(","));
  }
}
