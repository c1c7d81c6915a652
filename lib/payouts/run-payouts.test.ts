import { eq, inArray, sql } from "drizzle-orm";
import { Contract, type HDNodeWallet, type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { prizes, tokenPayoutBatches, tokenPayouts, walletLinks } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { waitFor } from "@/test/wait-for";
import { type PayoutOutcome, PRIZE_TOKEN_ABI, payoutIdOf, tokenBaseUnits } from "./model";
import { connectPayoutChain, type PayoutChain } from "./payout-chain";
import { requestTokenPayout } from "./request-payout";
import { payoutPass, reportOutcomes, runTokenPayouts } from "./run-payouts";

/*
 * The payout engine against a real anvil and PostgreSQL. A "crash" is a broadcast that never
 * returns: nothing after it runs, as in a process killed at that instant, and the next pass,
 * with a chain that broadcasts normally, is the restarted worker.
 */

const db = connectTestDb();
const testChain = connectTestChain();
let chain: PayoutChain & { close: () => void };
const { log } = memoryLog();
const OPTIONS = { batchSize: 50, confirmations: 1 };

beforeAll(async () => {
  chain = await connectPayoutChain(testChain.rpcUrl, testChain.prizeToken, testChain.treasuryKey);
});
afterAll(() => chain?.close());

const pass = (over: Partial<PayoutChain> = {}, options = OPTIONS) =>
  payoutPass(db, { ...chain, ...over }, options, log);

/** A crash at the broadcast: before the bytes leave, or just after the node took them. */
const crashBefore: PayoutChain["broadcast"] = () => new Promise(() => {});
const crashAfter: PayoutChain["broadcast"] = async (raw) => {
  await chain.provider.broadcastTransaction(raw);
  return new Promise(() => {});
};

/** Runs a pass that crashes at its broadcast, and waits until it got there. */
async function passCrashingAt(broadcast: (raw: string) => Promise<unknown>): Promise<string> {
  let reached: (raw: string) => void = () => {};
  const atBroadcast = new Promise<string>((resolve) => {
    reached = resolve;
  });
  void pass({
    broadcast: (raw) => {
      reached(raw);
      return broadcast(raw);
    },
  });
  return atBroadcast;
}

/** Due payouts of `count` new redemptions, and the batch a pass recorded and crashed sending. */
async function crashWhileSending(count: number, broadcast: PayoutChain["broadcast"]) {
  const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(count);
  await requestPayouts(redemptions, amountBaseUnits);
  const raw = await passCrashingAt(broadcast);
  const [batch] = await db
    .select()
    .from(tokenPayoutBatches)
    .where(eq(tokenPayoutBatches.rawTx, raw));
  if (!batch) throw new Error("no batch was recorded before its broadcast");
  expect(batch.status).toBe("signed");
  return { ids: redemptions.map((r) => r.redemptionId), batch };
}

async function batchNow(id: string) {
  const [batch] = await db.select().from(tokenPayoutBatches).where(eq(tokenPayoutBatches.id, id));
  return batch;
}

async function cryptoPrizeRedemptions(count: number, symbol = "PLT", amount = "10.5") {
  const playerIds = await createPlayers(db, count);
  const { dropId, prizeId } = await createTestDrop(db, { units: count, kind: "crypto" });
  await db
    .update(prizes)
    .set({ tokenSymbol: symbol, tokenAmount: amount })
    .where(eq(prizes.id, prizeId));
  const redemptions: Array<{ redemptionId: string; playerId: string; wallet: HDNodeWallet }> = [];
  for (const playerId of playerIds) {
    const { redemption } = await claimDrop(db, { dropId, playerId });
    redemptions.push({ redemptionId: redemption.id, playerId, wallet: Wallet.createRandom() });
  }
  return { redemptions, amountBaseUnits: tokenBaseUnits(amount) };
}

/** Links each player's wallet directly (linking itself is link-wallet.test.ts's) and asks to pay. */
async function requestPayouts(
  redemptions: Array<{ redemptionId: string; playerId: string; wallet: HDNodeWallet }>,
  amountBaseUnits: bigint,
  { linked = true } = {},
) {
  for (const r of redemptions) {
    if (linked) {
      await db
        .insert(walletLinks)
        .values({ userId: r.playerId, address: r.wallet.address, chainId: chain.chainId });
    }
    await db.transaction((tx) =>
      requestTokenPayout(tx, {
        redemptionId: r.redemptionId,
        playerId: r.playerId,
        amountBaseUnits,
      }),
    );
  }
}

async function prizeOf(redemptionId: string): Promise<string | undefined> {
  const [row] = await db.execute<{ prize_id: string }>(
    sql`select prize_id from redemptions where id = ${redemptionId}`,
  );
  return row?.prize_id;
}

async function statuses(ids: string[]): Promise<string[]> {
  const rows = await db
    .select({ id: tokenPayouts.redemptionId, status: tokenPayouts.status })
    .from(tokenPayouts)
    .where(inArray(tokenPayouts.redemptionId, ids));
  return ids.map((id) => rows.find((r) => r.id === id)?.status ?? "none");
}

type Paid = { id: string; to: string; amount: bigint };

/** Every PrizePaid event the treasury's payouts emitted, from the chain's own logs. */
async function paidOnChain(): Promise<Paid[]> {
  const token = new Contract(chain.token, PRIZE_TOKEN_ABI, chain.provider);
  const events = await token.queryFilter(
    token.filters.PrizePaid?.(null, chain.treasury.address) ?? "PrizePaid",
    0,
  );
  return events.map((event) => {
    const args = (event as unknown as { args: [string, string, string, bigint] }).args;
    return { id: args[0], to: args[2], amount: args[3] };
  });
}

/**
 * The invariant: the chain paid each confirmed payout exactly once, its amount to its address,
 * and nothing else: the on-chain sum equals the sum of the payouts recorded as paid, to the unit.
 */
async function expectChainMatchesPayouts(): Promise<void> {
  const paid = await paidOnChain();
  const confirmed = await db
    .select()
    .from(tokenPayouts)
    .where(eq(tokenPayouts.status, "confirmed"));
  expect(new Set(paid.map((p) => p.id)).size).toBe(paid.length);
  const sum = (amounts: bigint[]) => amounts.reduce((a, b) => a + b, 0n);
  expect(sum(paid.map((p) => p.amount))).toBe(sum(confirmed.map((p) => BigInt(p.amount))));
  expect(paid.map((p) => p.id).sort()).toEqual(
    confirmed.map((p) => payoutIdOf(p.redemptionId)).sort(),
  );
  for (const payout of confirmed) {
    const event = paid.find((p) => p.id === payoutIdOf(payout.redemptionId));
    expect(event).toEqual({
      id: payoutIdOf(payout.redemptionId),
      to: payout.address,
      amount: BigInt(payout.amount),
    });
  }
}

/** Passes until nothing is left open or due (anvil mines each transaction as it arrives). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const result = await pass();
    if (result.open === 0 && result.signed === 0) return;
  }
  throw new Error("the payouts did not settle in 20 passes");
}

describe("paying crypto prizes on chain", () => {
  it("pays the due payouts in one transaction and waits for a wallet for the rest", async () => {
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(4);
    const [waiting, ...linked] = redemptions as [(typeof redemptions)[0], ...typeof redemptions];
    await requestPayouts(linked, amountBaseUnits);
    await requestPayouts([waiting], amountBaseUnits, { linked: false });

    expect(await pass()).toEqual({ signed: 3, open: 1 });
    await settle();
    expect(await statuses(redemptions.map((r) => r.redemptionId))).toEqual([
      "awaiting_wallet",
      "confirmed",
      "confirmed",
      "confirmed",
    ]);
    const batches = await db
      .select({ batchId: tokenPayouts.batchId })
      .from(tokenPayouts)
      .where(
        inArray(
          tokenPayouts.redemptionId,
          linked.map((r) => r.redemptionId),
        ),
      );
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(1);
    const token = new Contract(chain.token, PRIZE_TOKEN_ABI, chain.provider);
    for (const r of linked) {
      expect(await token.getFunction("balanceOf")(r.wallet.address)).toBe(
        10_500_000_000_000_000_000n,
      );
    }
    await expectChainMatchesPayouts();
  });

  it("splits many due payouts into transactions of the batch size", async () => {
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(
      5,
      "PLT",
      "0.000000000000000001",
    );
    await requestPayouts(redemptions, amountBaseUnits);
    const small = { batchSize: 2, confirmations: 1 };
    const signed: number[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await pass({}, small);
      if (result.signed > 0) signed.push(result.signed);
      if (result.open === 0 && result.signed === 0) break;
    }
    expect(signed).toEqual([2, 2, 1]);
    expect(await statuses(redemptions.map((r) => r.redemptionId))).toEqual(
      Array(5).fill("confirmed"),
    );
    await expectChainMatchesPayouts();
  });

  it("after a crash before the broadcast, sends the very same transaction at restart", async () => {
    const { ids, batch } = await crashWhileSending(3, crashBefore);
    expect(await chain.provider.getTransaction(batch.txHash)).toBeNull();

    await settle();
    expect(await batchNow(batch.id)).toMatchObject({
      status: "confirmed",
      txHash: batch.txHash,
      nonce: batch.nonce,
    });
    expect(await statuses(ids)).toEqual(Array(3).fill("confirmed"));
    await expectChainMatchesPayouts();
  });

  it("after a crash between the broadcast and its record, records it and sends nothing more", async () => {
    const { ids, batch } = await crashWhileSending(3, crashAfter);
    await waitFor(async () => chain.provider.getTransactionReceipt(batch.txHash));
    const before = await chain.provider.getTransactionCount(chain.treasury.address, "latest");

    await settle();
    expect(await chain.provider.getTransactionCount(chain.treasury.address, "latest")).toBe(before);
    expect(await batchNow(batch.id)).toMatchObject({ status: "confirmed", txHash: batch.txHash });
    expect(await statuses(ids)).toEqual(Array(3).fill("confirmed"));
    await expectChainMatchesPayouts();
  });

  it("pays again, with a new nonce, when a crashed transaction's nonce went to another", async () => {
    const { ids, batch } = await crashWhileSending(2, crashBefore);
    // An operator sends something else from the treasury meanwhile: it takes that nonce.
    const other = await chain.treasury.sendTransaction({
      to: Wallet.createRandom().address,
      value: 1n,
      nonce: batch.nonce,
    });
    await other.wait();

    await settle();
    expect((await batchNow(batch.id))?.status).toBe("dropped");
    expect(await chain.provider.getTransaction(batch.txHash)).toBeNull();
    expect(await statuses(ids)).toEqual(["confirmed", "confirmed"]);
    await expectChainMatchesPayouts();
  });

  it("cancels a payout whose redemption was reversed before it was paid", async () => {
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(2);
    await requestPayouts(redemptions, amountBaseUnits);
    const [adminId = ""] = await createPlayers(db, 1, { role: "admin" });
    const [reversed, kept] = redemptions as [(typeof redemptions)[0], (typeof redemptions)[0]];
    await reverseRedemption(db, { redemptionId: reversed.redemptionId, adminId, reason: "fraud" });
    await settle();
    expect(await statuses([reversed.redemptionId, kept.redemptionId])).toEqual([
      "cancelled",
      "confirmed",
    ]);
    expect((await paidOnChain()).some((p) => p.id === payoutIdOf(reversed.redemptionId))).toBe(
      false,
    );
    await expectChainMatchesPayouts();
  });

  it("fails for good a prize in another token, and tells the delivery so", async () => {
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(1, "USDC");
    await requestPayouts(redemptions, amountBaseUnits);
    await settle();
    const [r] = redemptions;
    const [payout] = await db
      .select()
      .from(tokenPayouts)
      .where(eq(tokenPayouts.redemptionId, r?.redemptionId ?? ""));
    expect(payout).toMatchObject({
      status: "failed",
      failureCode: "token_symbol_mismatch",
      batchId: null,
    });
    expect(payout?.lastError).toContain("USDC");
    const told: Array<[string, PayoutOutcome]> = [];
    await reportOutcomes(db, async (id, outcome) => {
      told.push([id, outcome]);
    });
    expect(told.find(([id]) => id === r?.redemptionId)?.[1]).toMatchObject({
      status: "failed",
      txHash: null,
      error: { code: "token_symbol_mismatch" },
    });
    await settle();
    expect(await statuses([r?.redemptionId ?? ""])).toEqual(["failed"]);
    // An admin mends the prize and retries the dead delivery: its request pays this time, and
    // the new outcome is told, where the failed payout used to be answered for ever.
    const redemptionId = r?.redemptionId ?? "";
    await db
      .update(prizes)
      .set({ tokenSymbol: "PLT" })
      .where(eq(prizes.id, (await prizeOf(redemptionId)) ?? ""));
    const again = await db.transaction((tx) =>
      requestTokenPayout(tx, { redemptionId, playerId: r?.playerId ?? "", amountBaseUnits }),
    );
    expect(again).toEqual({ status: "due" });
    await settle();
    expect(await statuses([redemptionId])).toEqual(["confirmed"]);
    const toldAgain: Array<[string, PayoutOutcome]> = [];
    await reportOutcomes(db, async (id, outcome) => {
      toldAgain.push([id, outcome]);
    });
    expect(toldAgain.find(([id]) => id === redemptionId)?.[1]).toMatchObject({
      status: "delivered",
    });
    await expectChainMatchesPayouts();
  });

  it("counts a payout paid only once its block has the confirmations asked for", async () => {
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(1);
    await requestPayouts(redemptions, amountBaseUnits);
    const deep = { batchSize: 50, confirmations: 3 };
    expect(await pass({}, deep)).toEqual({ signed: 1, open: 1 });
    expect(await pass({}, deep)).toEqual({ signed: 0, open: 1 });
    expect(await statuses(redemptions.map((r) => r.redemptionId))).toEqual(["sent"]);
    await (chain.provider as JsonRpcProvider).send("anvil_mine", ["0x2"]);
    expect(await pass({}, deep)).toEqual({ signed: 0, open: 0 });
    expect(await statuses(redemptions.map((r) => r.redemptionId))).toEqual(["confirmed"]);
    await expectChainMatchesPayouts();
  });

  it("runs as the worker's loop: woken by a new payout, telling each outcome once per change", async () => {
    const told: Array<[string, PayoutOutcome["status"], string | null]> = [];
    // Earlier tests' outcomes are told first: only this test's redemptions are looked at.
    const controller = new AbortController();
    const running = runTokenPayouts({
      db,
      sql: sqlClient(db),
      chain,
      signal: controller.signal,
      log,
      onOutcome: async (id, outcome) => {
        told.push([id, outcome.status, outcome.txHash]);
      },
      pollMs: 60_000,
      ...OPTIONS,
    });
    const { redemptions, amountBaseUnits } = await cryptoPrizeRedemptions(2);
    await requestPayouts(redemptions, amountBaseUnits);
    const ids = redemptions.map((r) => r.redemptionId);
    await waitFor(async () => {
      const delivered = told.filter(([id, status]) => ids.includes(id) && status === "delivered");
      return delivered.length === 2;
    });
    controller.abort();
    await running;
    // "submitted" may be skipped when the mined transaction is seen first; "delivered" never.
    for (const id of ids) {
      const [batch] = await db
        .select({ txHash: tokenPayoutBatches.txHash })
        .from(tokenPayouts)
        .innerJoin(tokenPayoutBatches, eq(tokenPayoutBatches.id, tokenPayouts.batchId))
        .where(eq(tokenPayouts.redemptionId, id));
      const toldOf = told.filter(([i]) => i === id);
      expect(toldOf.at(-1)?.[1]).toBe("delivered");
      expect(new Set(toldOf.map(([, status]) => status)).size).toBe(toldOf.length);
      expect(toldOf.every(([, , hash]) => hash === batch?.txHash)).toBe(true);
    }
    await expectChainMatchesPayouts();
  });
});
