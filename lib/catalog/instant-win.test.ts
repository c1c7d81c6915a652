import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Tx } from "@/db/client";
import { auditEvents, catalogItems, prizes } from "@/db/schema";
import { issueEmailToken } from "@/lib/auth/email-tokens";
import { verifyEmail } from "@/lib/auth/email-verification";
import { resetPassword } from "@/lib/auth/password-reset";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { lockPrizeCodes } from "@/lib/codes/take-gift-codes";
import { env } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { getFairness, openSeed, setClientSeed } from "@/lib/fairness/seeds";
import { roundIntegers } from "@/lib/games/rng";
import { scratchTier } from "@/lib/games/scratch";
import { playRound } from "@/lib/rounds/play-round";
import { playRoundBatch } from "@/lib/rounds/round-batch";
import type { RoundOutcome, RoundRequest } from "@/lib/rounds/round-types";
import { getRound } from "@/lib/rounds/round-views";
import { getBalances } from "@/lib/wallet/wallet";
import { connectTestDb, createPlayers } from "@/test/db";
import { waiterOf } from "@/test/reset-race";
import { grantTestCoins } from "@/test/wallet";
import { declareIdentity } from "./identity";
import { identitySchema } from "./model";
import { approveRedemption, listPendingApprovals, rejectRedemption } from "./review-redemption";

const db = connectTestDb(8);
const now = new Date("2026-12-05T12:00:00Z");

/** Sets a client seed under which the player's active seed plays the prize tier at nonce 0. */
async function winPrizeTierNext(player: string): Promise<void> {
  await getFairness(db, player);
  const [row] = await db.execute<{ server_seed: string }>(sql`
    select server_seed from fair_seeds where user_id = ${player} and status = 'active'`);
  const serverSeed = openSeed(row?.server_seed ?? "");
  for (let i = 0; ; i++) {
    const [u] = roundIntegers(serverSeed, `prize-${i}`, 0, 1);
    if (scratchTier(u ?? 0)?.prize) {
      await setClientSeed(db, player, `prize-${i}`);
      return;
    }
  }
}

const card = (playerId: string): RoundRequest => ({
  playerId,
  idempotencyKey: crypto.randomUUID(),
  requestHash: new Uint8Array(32),
  game: "scratch",
  currency: "SC",
  stake: 100,
  params: {},
});

describe("instant-win prizes and the catalog's locks", () => {
  it("never deadlock: a batch needing two items of one gift card waits before the code lock", async () => {
    const [prize] = await db
      .insert(prizes)
      .values({ name: "Shared gift card", kind: "gift_card", valueCents: 2_500, quantity: 10 })
      .returning({ id: prizes.id });
    if (!prize) throw new Error("no prize");
    await importGiftCodes(db, prize.id, "code\nGIFT-A\nGIFT-B\nGIFT-C\nGIFT-D\n");
    // The first item by position has one unit: a batch with two prize tiers needs both items.
    const [first, second] = await db
      .insert(catalogItems)
      .values([
        { prizeId: prize.id, priceSc: 6_000, stock: 1, position: 0, instantWin: true },
        { prizeId: prize.id, priceSc: 6_000, stock: 5, position: 1, instantWin: true },
      ])
      .returning({ id: catalogItems.id });
    if (!first || !second) throw new Error("no items");
    const players = await createPlayers(db, 2, { identityDeclaredAt: now });
    for (const p of players) {
      await grantTestCoins(db, p, "SC", 1_000, 0);
      await winPrizeTierNext(p);
    }

    try {
      // A catalog redemption of the second item, driven step by step: it holds the item's row.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holderPid: (pid: number) => void = () => {};
      const holder = new Promise<number>((resolve) => {
        holderPid = resolve;
      });
      const redemption = db.transaction(async (tx: Tx) => {
        const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        await tx.execute(sql`select id from catalog_items where id = ${second.id} for update`);
        holderPid(row?.pid as number);
        await released;
        // Its next lock, as redeemCatalogItem takes it in issuePrizeRedemptions.
        await lockPrizeCodes(tx, [prize.id]);
      });

      const pid = await holder;
      const batch = db.transaction((tx) => playRoundBatch(tx, players.map(card))) as Promise<
        RoundOutcome[]
      >;
      // The batch queues on the second item's row; only then does the redemption go on.
      await waiterOf(db, pid);
      release();
      await redemption;
      const outcomes = await batch;

      const won = outcomes.map((o) => (o.ok ? o.round.redemption?.id : o.reason));
      expect(won.every((id) => typeof id === "string")).toBe(true);
      const rows = await db.execute<{ catalog_item_id: string }>(sql`
        select catalog_item_id from redemptions
        where round_id is not null and player_id = any(${sql.param(players)}::uuid[])
        order by catalog_item_id`);
      expect(rows.map((r) => r.catalog_item_id).sort()).toEqual([first.id, second.id].sort());
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false`);
    }
  });

  /** The one instant-win item (price in minor units), of a crypto prize. */
  async function offerItem(priceSc: number): Promise<{ itemId: string; prizeId: string }> {
    await db.execute(sql`update catalog_items set instant_win = false`);
    const [prize] = await db
      .insert(prizes)
      .values({ name: "Round prize", kind: "crypto", valueCents: 2_500, quantity: 10 })
      .returning({ id: prizes.id });
    if (!prize) throw new Error("no prize");
    const [item] = await db
      .insert(catalogItems)
      .values({ prizeId: prize.id, priceSc, stock: 5, instantWin: true })
      .returning({ id: catalogItems.id });
    if (!item) throw new Error("no item");
    return { itemId: item.id, prizeId: prize.id };
  }

  const scratch = { game: "scratch", currency: "SC", stake: "1.00", params: {} };
  const identity = identitySchema.parse({
    legalName: "Rita Round",
    birthDate: "1990-04-30",
    postalAddress: { line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" },
  });
  const redemptionRow = async (id: string) =>
    (
      await db.execute<{ status: string; catalog_item_id: string; price_sc: string }>(sql`
        select status, catalog_item_id, price_sc from redemptions where id = ${id}`)
    )[0];

  it("hold a round's prize until the player declares an identity and verifies an email", async () => {
    const { itemId } = await offerItem(6_000);
    // Email verified, no identity; and identity declared, email not verified.
    const [undeclared] = await createPlayers(db, 1);
    const [unverified] = await createPlayers(db, 1, {
      identityDeclaredAt: now,
      emailVerifiedAt: null,
    });
    if (!undeclared || !unverified) throw new Error("no players");
    for (const p of [undeclared, unverified]) {
      await grantTestCoins(db, p, "SC", 1_000, 0);
      await winPrizeTierNext(p);
    }
    try {
      const won = await playRound(db, { playerId: undeclared, body: scratch, idempotencyKey: "h" });
      // Played and reported as a prize win, but the code stays with the operator.
      expect(won.round).toMatchObject({
        outcome: { prizeTier: true },
        payout: "0.00",
        redemption: { status: "held", code: null },
      });
      const id = won.round.redemption?.id ?? "";
      // The player is told what to do to receive it.
      const [step] = await db.execute<{ link: string }>(
        sql`select link from notifications where redemption_id = ${id} and kind = 'next_step_identity'`,
      );
      expect(step?.link).toBe("/account/identity");
      expect(await redemptionRow(id)).toEqual({
        status: "held",
        catalog_item_id: itemId,
        price_sc: "6000",
      });
      const replay = await playRound(db, {
        playerId: undeclared,
        body: scratch,
        idempotencyKey: "h",
      });
      expect(replay.round.redemption).toEqual(won.round.redemption);
      // Not the admins' to release: it is not in the approval queue.
      const [admin] = await createPlayers(db, 1, { role: "admin" });
      const review = await approveRedemption(db, id, { adminId: admin ?? "" }, now).catch(
        (e: unknown) => (isAppError(e) ? e.code : e),
      );
      expect(review).toBe("not_found");

      await declareIdentity(db, identity, { userId: undeclared }, now);
      expect((await redemptionRow(id))?.status).toBe("fulfilled");
      expect((await getRound(db, undeclared, won.round.id))?.redemption).toMatchObject({
        id,
        status: "fulfilled",
        code: expect.stringMatching(/\S/),
      });
      const [release] = await db
        .select()
        .from(auditEvents)
        .where(sql`${auditEvents.subject} = ${`redemption:${id}`} and action = 'prize_release'`);
      expect(release?.data).toEqual({ before: { status: "held" }, after: { status: "fulfilled" } });

      const other = await playRound(db, {
        playerId: unverified,
        body: scratch,
        idempotencyKey: "u",
      });
      const otherId = other.round.redemption?.id ?? "";
      expect(other.round.redemption).toMatchObject({ status: "held", code: null });
      const token = await issueEmailToken(db, unverified, "verify_email");
      await verifyEmail(db, token, {});
      expect((await redemptionRow(otherId))?.status).toBe("fulfilled");
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false`);
    }
  });

  it("release a held prize when a password reset verifies the email", async () => {
    await offerItem(6_000);
    const [player] = await createPlayers(db, 1, { identityDeclaredAt: now, emailVerifiedAt: null });
    if (!player) throw new Error("no player");
    await grantTestCoins(db, player, "SC", 1_000, 0);
    await winPrizeTierNext(player);
    try {
      const won = await playRound(db, { playerId: player, body: scratch, idempotencyKey: "r" });
      const id = won.round.redemption?.id ?? "";
      expect(won.round.redemption).toMatchObject({ status: "held", code: null });
      // The reset link came by mail: the address is verified, and nothing else is left to do
      // (verifyEmail now answers "already verified").
      const token = await issueEmailToken(db, player, "reset_password");
      const password = "a-new-password-1";
      await resetPassword(db, { token, password, confirm: password }, {});
      expect((await redemptionRow(id))?.status).toBe("fulfilled");
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false`);
    }
  });

  it("award only a prize the stake's tier is worth; a dearer one pays the tier's coins", async () => {
    // 1.00 SC: the tier stands for 500.00 SC, so a 600.00 SC item is not won with it.
    const { itemId } = await offerItem(60_000);
    const [player] = await createPlayers(db, 1, { identityDeclaredAt: now });
    if (!player) throw new Error("no player");
    await grantTestCoins(db, player, "SC", 1_000, 0);
    await winPrizeTierNext(player);
    try {
      const won = await playRound(db, { playerId: player, body: scratch, idempotencyKey: "c" });
      expect(won.round).toMatchObject({
        outcome: { prizeTier: true },
        payout: "500.00",
        redemption: null,
      });
      const [item] = await db.execute<{ stock: number }>(
        sql`select stock from catalog_items where id = ${itemId}`,
      );
      expect(item?.stock).toBe(5);
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false`);
    }
  });

  it("put a prize above the approval threshold in the queue; a rejection pays the tier's coins", async () => {
    const price = env().CATALOG_APPROVAL_THRESHOLD_SC + 10_000;
    // 2.00 SC: the tier stands for 1,000.00 SC, enough for an item above the threshold.
    const dearScratch = { ...scratch, stake: "2.00" };
    const { itemId } = await offerItem(price);
    const [admin] = await createPlayers(db, 1, { role: "admin" });
    const [ready, undeclared] = await createPlayers(db, 2);
    if (!admin || !ready || !undeclared) throw new Error("no players");
    await declareIdentity(db, identity, { userId: ready }, now);
    for (const p of [ready, undeclared]) {
      await grantTestCoins(db, p, "SC", 1_000, 0);
      await winPrizeTierNext(p);
    }
    try {
      const won = await playRound(db, { playerId: ready, body: dearScratch, idempotencyKey: "a" });
      expect(won.round.redemption).toMatchObject({ status: "pending_approval", code: null });
      const id = won.round.redemption?.id ?? "";
      expect((await listPendingApprovals(db)).find((r) => r.id === id)).toMatchObject({
        catalogItemId: itemId,
        roundId: won.round.id,
      });
      // A held prize of such an item goes to the queue once released.
      const held = await playRound(db, {
        playerId: undeclared,
        body: dearScratch,
        idempotencyKey: "b",
      });
      expect(held.round.redemption?.status).toBe("held");
      await declareIdentity(db, identity, { userId: undeclared }, now);
      expect((await redemptionRow(held.round.redemption?.id ?? ""))?.status).toBe(
        "pending_approval",
      );

      const stockBefore = (
        await db.execute<{ stock: number }>(
          sql`select stock from catalog_items where id = ${itemId}`,
        )
      )[0]?.stock;
      const balance = (await getBalances(db, ready)).SC;
      const review = await rejectRedemption(db, id, "Prize under review", { adminId: admin }, now);
      // 500 × the stake: what the paytable pays for the prize tier when no prize is given.
      expect(review).toMatchObject({ status: "rejected", refundedSc: "1000.00" });
      expect((await getBalances(db, ready)).SC).toBe(balance + 100_000);
      const [txn] = await db.execute<{ kind: string }>(sql`
        select kind from wallet_transactions where idempotency_key = ${`refund:${id}`}`);
      expect(txn?.kind).toBe("round_prize_coins");
      expect(
        (
          await db.execute<{ stock: number }>(
            sql`select stock from catalog_items where id = ${itemId}`,
          )
        )[0]?.stock,
      ).toBe((stockBefore ?? 0) + 1);
      const again = await rejectRedemption(db, id, "twice", { adminId: admin }, now).catch(
        (e: unknown) => (isAppError(e) ? e.code : e),
      );
      expect(again).toBe("already_reviewed");
      expect((await getBalances(db, ready)).SC).toBe(balance + 100_000);
      const approved = await approveRedemption(
        db,
        held.round.redemption?.id ?? "",
        { adminId: admin },
        now,
      );
      expect(approved.status).toBe("fulfilled");
    } finally {
      await db.execute(sql`update catalog_items set instant_win = false`);
    }
  });
});
