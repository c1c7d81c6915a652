import "server-only";
import { and, asc, eq, inArray, max, sql } from "drizzle-orm";
import { Contract, Interface, Transaction } from "ethers";
import type postgres from "postgres";
import type { Db, Tx } from "@/db/client";
import { type TokenPayoutBatch, tokenPayoutBatches, tokenPayouts } from "@/db/schema";
import { withSessionLock } from "@/lib/anchoring/run-anchoring";
import { runWokenLoop } from "@/lib/jobs/woken-loop";
import type { Log } from "@/lib/log";
import {
  type PayoutErrorCode,
  type PayoutOutcome,
  type PayoutStatus,
  PRIZE_TOKEN_ABI,
  payoutIdOf,
} from "./model";
import type { PayoutChain } from "./payout-chain";

export type OnPayoutOutcome = (redemptionId: string, outcome: PayoutOutcome) => Promise<void>;

export type PayoutOptions = {
  /** Payouts in one transaction at most. */
  batchSize: number;
  /** Blocks a payout's block must have on top (itself included) before it counts as paid. */
  confirmations: number;
};

export type PayoutRunOptions = PayoutOptions & {
  db: Db;
  sql: postgres.Sql;
  chain: PayoutChain;
  signal: AbortSignal;
  log: Log;
  onOutcome: OnPayoutOutcome;
  pollMs: number;
};

// Held by the worker that pays: the treasury's nonces are handed out by one process at a time.
const PAYOUT_LOCK = 72_094;

const token = new Interface(PRIZE_TOKEN_ABI);

/** Payouts whose redemption ended before they were signed: reversed, expired or rejected. */
const ENDED_REDEMPTIONS = ["reversed", "expired", "rejected"];

export type PassResult = {
  /** Payouts put in a new transaction this pass. */
  signed: number;
  /** Open transactions still waiting for the chain. */
  open: number;
};

/**
 * One pass of the payout engine, under its lock: first every transaction already signed and not
 * yet confirmed is settled with the chain (confirmed when mined deep enough, sent again exactly
 * as signed when the node does not know it, given up only when its nonce went to another
 * transaction), then, when none is left open, the due payouts are paid in a new one. Run at
 * start, the first half is the reconciliation after a crash.
 */
export async function payoutPass(
  db: Db,
  chain: PayoutChain,
  options: PayoutOptions,
  log: Log,
  assertLocked: () => Promise<void> = async () => {},
): Promise<PassResult> {
  const open = await settleOpenBatches(db, chain, options, log);
  if (open > 0) return { signed: 0, open };
  const batch = await signNextBatch(db, chain, options);
  if (!batch) return { signed: 0, open: 0 };
  await assertLocked();
  await sendBatch(db, chain, batch.batch, log);
  return { signed: batch.count, open: 1 };
}

async function settleOpenBatches(
  db: Db,
  chain: PayoutChain,
  options: PayoutOptions,
  log: Log,
): Promise<number> {
  const signer = chain.treasury.address;
  const open = await db
    .select()
    .from(tokenPayoutBatches)
    .where(
      and(
        eq(tokenPayoutBatches.signer, signer),
        eq(tokenPayoutBatches.chainId, chain.chainId),
        inArray(tokenPayoutBatches.status, ["signed", "sent"]),
      ),
    )
    .orderBy(asc(tokenPayoutBatches.nonce));
  let left = 0;
  for (const batch of open) {
    const receipt = await chain.provider.getTransactionReceipt(batch.txHash);
    if (receipt) {
      const depth = (await chain.provider.getBlockNumber()) - receipt.blockNumber + 1;
      if (depth < options.confirmations) {
        if (batch.status === "signed") await markSent(db, batch.id);
        left++;
      } else if (receipt.status === 1) {
        await confirmBatch(db, batch.id, receipt.blockNumber);
      } else {
        await reopenBatch(db, chain, batch, `transaction ${batch.txHash} reverted`, log);
      }
      continue;
    }
    if (await chain.provider.getTransaction(batch.txHash)) {
      if (batch.status === "signed") await markSent(db, batch.id);
      left++;
      continue;
    }
    // Unknown to the node and never mined. Its nonce decides: still free, the very same signed
    // bytes go again (they can only ever be mined once); taken by another transaction, they can
    // never be mined, and its payouts are due again.
    const mined = await chain.provider.getTransactionCount(signer, "latest");
    if (mined > batch.nonce) {
      // Asked again after the count: mined in between, it is ours, settled at the next pass.
      if (await chain.provider.getTransactionReceipt(batch.txHash)) {
        left++;
        continue;
      }
      await reopenBatch(db, chain, batch, "its nonce was used by another transaction", log);
      continue;
    }
    await sendBatch(db, chain, batch, log);
    left++;
  }
  return left;
}

async function markSent(db: Db, batchId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(tokenPayoutBatches)
      .set({ status: "sent", sentAt: now })
      .where(and(eq(tokenPayoutBatches.id, batchId), eq(tokenPayoutBatches.status, "signed")));
    await tx
      .update(tokenPayouts)
      .set({ status: "sent", updatedAt: now })
      .where(and(eq(tokenPayouts.batchId, batchId), eq(tokenPayouts.status, "signed")));
  });
}

/** Sends the signed bytes; a failure is left for the next pass, which looks the hash up again. */
async function sendBatch(
  db: Db,
  chain: PayoutChain,
  batch: TokenPayoutBatch,
  log: Log,
): Promise<void> {
  try {
    await chain.broadcast(batch.rawTx);
  } catch (error) {
    // "already known", "nonce too low", a node that is down: the next pass asks the node again.
    log.warning("payout_broadcast_failed", {
      batchId: batch.id,
      txHash: batch.txHash,
      error: error instanceof Error ? error.message.slice(0, 300) : String(error),
    });
    await db
      .update(tokenPayoutBatches)
      .set({ lastError: error instanceof Error ? error.message.slice(0, 500) : String(error) })
      .where(eq(tokenPayoutBatches.id, batch.id));
    return;
  }
  await markSent(db, batch.id);
}

async function confirmBatch(db: Db, batchId: string, blockNumber: number): Promise<void> {
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(tokenPayoutBatches)
      .set({ status: "confirmed", blockNumber, confirmedAt: now, lastError: null })
      .where(eq(tokenPayoutBatches.id, batchId));
    await tx
      .update(tokenPayouts)
      .set({ status: "confirmed", updatedAt: now })
      .where(
        and(eq(tokenPayouts.batchId, batchId), inArray(tokenPayouts.status, ["signed", "sent"])),
      );
  });
}

/**
 * The batch's payouts go back to due (to be paid in a later transaction), except those the
 * chain says the treasury paid: `paidIds`.
 */
async function dropBatch(
  db: Db,
  batchId: string,
  reason: string,
  paidIds: Set<string>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(tokenPayoutBatches)
      .set({ status: "dropped", lastError: reason })
      .where(eq(tokenPayoutBatches.id, batchId));
    const payouts = await tx
      .select({ id: tokenPayouts.redemptionId })
      .from(tokenPayouts)
      .where(
        and(eq(tokenPayouts.batchId, batchId), inArray(tokenPayouts.status, ["signed", "sent"])),
      );
    const paid = payouts.filter((p) => paidIds.has(p.id)).map((p) => p.id);
    const unpaid = payouts.filter((p) => !paidIds.has(p.id)).map((p) => p.id);
    if (paid.length > 0) {
      await tx
        .update(tokenPayouts)
        .set({ status: "confirmed", updatedAt: now })
        .where(inArray(tokenPayouts.redemptionId, paid));
    }
    if (unpaid.length > 0) {
      await tx
        .update(tokenPayouts)
        .set({
          status: "due",
          batchId: null,
          lastError: reason,
          reportedStatus: null,
          updatedAt: now,
        })
        .where(inArray(tokenPayouts.redemptionId, unpaid));
    }
  });
}

/**
 * A batch that will never pay (mined and reverted, all or none, or its nonce taken by another
 * transaction): its payouts are due again, but first the contract is asked which the treasury
 * has paid, so none is ever paid twice.
 */
async function reopenBatch(
  db: Db,
  chain: PayoutChain,
  batch: TokenPayoutBatch,
  reason: string,
  log: Log,
): Promise<void> {
  const payouts = await db
    .select({ id: tokenPayouts.redemptionId })
    .from(tokenPayouts)
    .where(eq(tokenPayouts.batchId, batch.id));
  const contract = new Contract(chain.token, PRIZE_TOKEN_ABI, chain.provider);
  const paid = new Set<string>();
  for (const { id } of payouts) {
    if (await contract.getFunction("isPaid")(chain.treasury.address, payoutIdOf(id))) paid.add(id);
  }
  log.warning("payout_batch_dropped", { batchId: batch.id, txHash: batch.txHash, reason });
  await dropBatch(db, batch.id, reason, paid);
}

type DuePayout = {
  redemption_id: string;
  amount: string;
  address: string;
  redemption_status: string;
  prize_kind: string;
  token_symbol: string | null;
};

/**
 * Takes the oldest due payouts, cancels those whose redemption ended, fails for good those of a
 * prize not in this token, and records the rest as one signed transaction with the treasury's
 * next nonce, all in one database transaction: the intent is on record before anything is sent.
 */
async function signNextBatch(
  db: Db,
  chain: PayoutChain,
  options: PayoutOptions,
): Promise<{ batch: TokenPayoutBatch; count: number } | undefined> {
  return db.transaction(async (tx) => {
    // The redemption rows are shared-locked: a reversal waits until the payout is recorded (and
    // then no longer stops it), or, already under way, keeps its payout out of this batch.
    const rows = await tx.execute<DuePayout>(sql`
      select p.redemption_id, p.amount::text as amount, p.address, r.status as redemption_status,
             pr.kind as prize_kind, pr.token_symbol
      from token_payouts p
      join redemptions r on r.id = p.redemption_id
      join prizes pr on pr.id = r.prize_id
      where p.status = 'due'
      order by p.created_at, p.redemption_id
      limit ${options.batchSize}
      for no key update of p skip locked
      for share of r skip locked`);
    const now = new Date();
    const ended = rows.filter((r) => ENDED_REDEMPTIONS.includes(r.redemption_status));
    if (ended.length > 0) {
      await tx
        .update(tokenPayouts)
        .set({
          status: "cancelled",
          lastError: "the redemption ended before payment",
          updatedAt: now,
        })
        .where(
          inArray(
            tokenPayouts.redemptionId,
            ended.map((r) => r.redemption_id),
          ),
        );
    }
    const live = rows.filter((r) => !ENDED_REDEMPTIONS.includes(r.redemption_status));
    for (const row of live) {
      const failure = wrongPrize(row, chain.symbol);
      if (failure) await failPayout(tx, row.redemption_id, failure, now);
    }
    const payable = live.filter((r) => !wrongPrize(r, chain.symbol));
    if (payable.length === 0) return undefined;

    const data = token.encodeFunctionData("payout", [
      payable.map((r) => payoutIdOf(r.redemption_id)),
      payable.map((r) => r.address),
      payable.map((r) => BigInt(r.amount)),
    ]);
    const nonce = await nextNonce(tx, chain);
    const from = chain.treasury.address;
    const gas = await chain.provider.estimateGas({ from, to: chain.token, data });
    const fees = await chain.provider.getFeeData();
    const rawTx = await chain.treasury.signTransaction({
      type: 2,
      chainId: chain.chainId,
      nonce,
      to: chain.token,
      data,
      value: 0n,
      // Headroom over the estimate: the state it was made against may move before it is mined.
      gasLimit: (gas * 12n) / 10n + 10_000n,
      maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 0n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    });
    const txHash = Transaction.from(rawTx).hash;
    if (!txHash) throw new Error("the signed payout transaction has no hash");
    const [batch] = await tx
      .insert(tokenPayoutBatches)
      .values({ signer: from, chainId: chain.chainId, nonce, txHash, rawTx })
      .returning();
    if (!batch) throw new Error("the payout batch was not recorded");
    await tx
      .update(tokenPayouts)
      .set({
        status: "signed",
        batchId: batch.id,
        attempts: sql`${tokenPayouts.attempts} + 1`,
        updatedAt: now,
      })
      .where(
        inArray(
          tokenPayouts.redemptionId,
          payable.map((r) => r.redemption_id),
        ),
      );
    return { batch, count: payable.length };
  });
}

function wrongPrize(
  row: DuePayout,
  symbol: string,
): { code: PayoutErrorCode; message: string } | undefined {
  if (row.prize_kind !== "crypto") {
    return { code: "not_a_crypto_prize", message: "The prize is not a crypto prize" };
  }
  if (row.token_symbol !== symbol) {
    return {
      code: "token_symbol_mismatch",
      message: `The prize is paid in ${row.token_symbol ?? "no token"}, but the prize token is ${symbol}: fix the prize, then reverse or re-deliver the redemption`,
    };
  }
  return undefined;
}

async function failPayout(
  tx: Tx,
  redemptionId: string,
  failure: { code: PayoutErrorCode; message: string },
  now: Date,
): Promise<void> {
  await tx
    .update(tokenPayouts)
    .set({
      status: "failed",
      failureCode: failure.code,
      lastError: failure.message,
      updatedAt: now,
    })
    .where(eq(tokenPayouts.redemptionId, redemptionId));
}

/**
 * The treasury's next nonce: one past the last it signed as recorded here, or the node's count of
 * its transactions when that is further (the key also signed the token's deployment and its
 * funding, or anything else an operator sent with it).
 */
async function nextNonce(tx: Tx, chain: PayoutChain): Promise<number> {
  const [row] = await tx
    .select({ last: max(tokenPayoutBatches.nonce) })
    .from(tokenPayoutBatches)
    .where(
      and(
        eq(tokenPayoutBatches.signer, chain.treasury.address),
        eq(tokenPayoutBatches.chainId, chain.chainId),
      ),
    );
  const recorded = row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  const pending = await chain.provider.getTransactionCount(chain.treasury.address, "pending");
  return Math.max(recorded, pending);
}

const OUTCOME_OF: Partial<Record<PayoutStatus, PayoutOutcome["status"]>> = {
  sent: "submitted",
  confirmed: "delivered",
  failed: "failed",
};

/**
 * Tells `onOutcome` every change it has not been told yet: at least once, since a crash between
 * the call and its record tells it again at the next pass.
 */
export async function reportOutcomes(db: Db, onOutcome: OnPayoutOutcome): Promise<number> {
  const rows = await db
    .select({
      redemptionId: tokenPayouts.redemptionId,
      status: tokenPayouts.status,
      failureCode: tokenPayouts.failureCode,
      lastError: tokenPayouts.lastError,
      txHash: tokenPayoutBatches.txHash,
    })
    .from(tokenPayouts)
    .leftJoin(tokenPayoutBatches, eq(tokenPayoutBatches.id, tokenPayouts.batchId))
    .where(
      sql`${tokenPayouts.status} in ('sent', 'confirmed', 'failed')
          and ${tokenPayouts.reportedStatus} is distinct from ${tokenPayouts.status}`,
    )
    .orderBy(asc(tokenPayouts.updatedAt))
    .limit(500);
  for (const row of rows) {
    const status = OUTCOME_OF[row.status as PayoutStatus];
    if (!status) continue;
    await onOutcome(row.redemptionId, {
      status,
      txHash: status === "failed" ? null : row.txHash,
      reference: payoutIdOf(row.redemptionId),
      error:
        status === "failed"
          ? {
              code: (row.failureCode ?? "token_symbol_mismatch") as PayoutErrorCode,
              message: row.lastError ?? "",
            }
          : null,
    });
    await db
      .update(tokenPayouts)
      .set({ reportedStatus: row.status })
      .where(
        and(eq(tokenPayouts.redemptionId, row.redemptionId), eq(tokenPayouts.status, row.status)),
      );
  }
  return rows.length;
}

/**
 * The payout engine for the worker: woken when payouts become due (NOTIFY token_payouts) and by
 * a poll, which also follows confirmations; retries with exponential backoff while the database
 * or the node is unreachable. Only the worker holding PAYOUT_LOCK pays.
 */
export async function runTokenPayouts(options: PayoutRunOptions): Promise<void> {
  const { db, sql: client, chain, signal, log, onOutcome, pollMs } = options;
  await runWokenLoop({
    sql: client,
    channel: "token_payouts",
    signal,
    log,
    pollMs,
    failureEvent: "payouts_failed_will_retry",
    pass: async () => {
      const result = await withSessionLock(client, PAYOUT_LOCK, (assertLocked) =>
        payoutPass(db, chain, options, log, assertLocked),
      );
      await reportOutcomes(db, onOutcome);
      if (!result || result.signed === 0) return { again: false };
      log.info("payouts_sent", { payouts: result.signed });
      return { again: true };
    },
  });
}
