import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { hex } from "@/lib/claims/claim-types";
import { newRedemptionCode } from "@/lib/claims/redemption-code";
import { encryptCode } from "@/lib/codes/code-crypto";
import { type Code, lockPrizeCodes, takeUsableCodes } from "@/lib/codes/take-gift-codes";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { toHex } from "@/lib/ledger/merkle";
import { notifyRedemptionsIssued } from "@/lib/notifications/notifications";
import type { PrizeKind } from "@/lib/prizes/model";
import { emitRedemptionEvents } from "@/lib/webhooks/emit-events";
import type { RedemptionStatus } from "./model";

/**
 * A prize given outside a drop, from a catalog item's stock: bought with Sweeps Coins, or won in
 * a game round (roundId set; priceSc is then the item's price, nothing was paid).
 */
export type PrizeAward = {
  playerId: string;
  prizeId: string;
  origin: { catalogItemId: string; priceSc: number; roundId?: string };
  /** Held for an admin's approval: the code is kept until approved. */
  pendingApproval?: boolean;
  /** A round's prize held until its player declares an identity and verifies an email. */
  held?: boolean;
};

export type IssuedPrize = {
  id: string;
  prizeId: string;
  prizeKind: PrizeKind;
  valueCents: number;
  catalogItemId: string;
  roundId: string | null;
  claimedAt: string;
  status: Extract<RedemptionStatus, "fulfilled" | "awaiting_action" | "pending_approval" | "held">;
  /** The prize's code in plain, for its owner's answer (not to be shown while pending approval). */
  code: string;
  receipt: {
    version: 1;
    status: "pending";
    leaf: { index: null; data: string; salt: string; playerId: string };
  };
};

/** What came of each award, in order: a redemption, or sold_out (a gift card with no code left). */
export type PrizeIssue = { ok: true; redemption: IssuedPrize } | { ok: false; reason: "sold_out" };

type PrizeRow = { id: string; kind: PrizeKind; value_cents: string; from_pool: boolean };

/**
 * Turns awards into redemptions in the caller's transaction: a code each (from the prize's
 * imported pool for gift cards, generated otherwise), the redemption row, and its ledger entry,
 * with the same leaf and pending receipt as a drop's claim (the leaf's drop is all zero). The
 * caller notifies `ledger_entries` at the end of its transaction and signs the promise after.
 *
 * Lock order, with the wallet's: player accounts, then prize code locks (taken here), then the
 * journal's counterparty shards. So call this before postTransactions in the same transaction.
 */
export async function issuePrizeRedemptions(
  tx: Tx,
  awards: readonly PrizeAward[],
  now: Date,
): Promise<PrizeIssue[]> {
  if (awards.length === 0) return [];
  const prizeIds = [...new Set(awards.map((a) => a.prizeId))];
  const prizes = new Map<string, PrizeRow>();
  for (const row of await tx.execute<PrizeRow>(sql`
    select id, kind, value_cents,
           kind = 'gift_card' and coalesce(delivery_provider, 'pool') = 'pool' as from_pool
    from prizes where id = any(${sql.param(prizeIds)}::uuid[])`)) {
    prizes.set(row.id, row);
  }
  const codes = await takeCodes(tx, awards, prizes);

  const issued: Array<{
    award: PrizeAward;
    prize: PrizeRow;
    id: string;
    salt: Uint8Array;
    leaf: Uint8Array;
    code: Code;
  }> = [];
  const results: PrizeIssue[] = awards.map((award, i) => {
    const prize = prizes.get(award.prizeId);
    if (!prize) throw new Error(`prize ${award.prizeId} does not exist`);
    const code = codes[i];
    if (!code) return { ok: false, reason: "sold_out" };
    const id = randomUUID();
    const salt = new Uint8Array(randomBytes(32));
    const leaf = encodeLeaf({
      kind: "redemption",
      entryId: id,
      prizeId: prize.id,
      dropId: null,
      valueCents: Number(prize.value_cents),
      timeMs: now.getTime(),
      playerCommitment: playerCommitment(award.playerId, salt),
    });
    issued.push({ award, prize, id, salt, leaf, code });
    const status = award.held
      ? ("held" as const)
      : award.pendingApproval
        ? ("pending_approval" as const)
        : prize.kind === "physical"
          ? ("awaiting_action" as const)
          : ("fulfilled" as const);
    return {
      ok: true,
      redemption: {
        id,
        prizeId: prize.id,
        prizeKind: prize.kind,
        valueCents: Number(prize.value_cents),
        catalogItemId: award.origin.catalogItemId,
        roundId: award.origin.roundId ?? null,
        claimedAt: now.toISOString(),
        status,
        code: code.plain,
        receipt: {
          version: 1,
          status: "pending",
          leaf: { index: null, data: toHex(leaf), salt: toHex(salt), playerId: award.playerId },
        },
      },
    };
  });
  if (issued.length === 0) return results;
  const statusOf = new Map(
    results.flatMap((r) => (r.ok ? [[r.redemption.id, r.redemption.status] as const] : [])),
  );
  // A physical prize outside a drop has no deadline: there is no unit to give back to a drop,
  // so it waits for the player's shipping address instead of expiring.
  await tx.execute(sql`
    insert into redemptions (id, drop_id, prize_id, player_id, unit_id, catalog_item_id, round_id,
                             price_sc, status, code_ciphertext, code_key_id, player_salt,
                             created_at, region)
    select id, null, prize, player, null, item, round, price, status::redemption_status,
           decode(ct, 'hex'), kid, decode(salt, 'hex'), ${now.toISOString()}::timestamptz,
           (select u.region from users u where u.id = player)
    from unnest(${sql.param(issued.map((x) => x.id))}::uuid[],
                ${sql.param(issued.map((x) => x.prize.id))}::uuid[],
                ${sql.param(issued.map((x) => x.award.playerId))}::uuid[],
                ${sql.param(issued.map((x) => x.award.origin.catalogItemId))}::uuid[],
                ${sql.param(issued.map((x) => x.award.origin.roundId ?? null))}::uuid[],
                ${sql.param(issued.map((x) => x.award.origin.priceSc))}::bigint[],
                ${sql.param(issued.map((x) => statusOf.get(x.id) ?? "fulfilled"))}::text[],
                ${sql.param(issued.map((x) => hex(x.code.ciphertext)))}::text[],
                ${sql.param(issued.map((x) => x.code.keyId))}::text[],
                ${sql.param(issued.map((x) => hex(x.salt)))}::text[])
      as t(id, prize, player, item, round, price, status, ct, kid, salt)`);
  await recordIssuedRedemptions(tx, issued);
  return results;
}

/**
 * What every new redemption takes with it, whatever gave it: its gift code marked as used, and
 * its ledger entry, and the operators' `redemption.created` webhooks. (Its delivery, and the job that makes it, come from a trigger: migration
 * 0019.)
 */
export async function recordIssuedRedemptions(
  tx: Tx,
  issued: ReadonlyArray<{ id: string; code: Code; leaf: Uint8Array }>,
): Promise<void> {
  const usedCodes = issued.filter((x) => x.code.giftCodeId);
  if (usedCodes.length > 0) {
    await tx.execute(sql`
      update gift_codes g set redemption_id = t.r
      from unnest(${sql.param(usedCodes.map((x) => x.code.giftCodeId))}::uuid[],
                  ${sql.param(usedCodes.map((x) => x.id))}::uuid[]) as t(c, r)
      where g.id = t.c`);
  }
  await tx.execute(sql`
    insert into ledger_entries (kind, redemption_id, leaf_data)
    select 'redemption', r, decode(d, 'hex')
    from unnest(${sql.param(issued.map((x) => x.id))}::uuid[],
                ${sql.param(issued.map((x) => hex(x.leaf)))}::text[]) as t(r, d)`);
  await notifyRedemptionsIssued(
    tx,
    issued.map((x) => x.id),
  );
  await emitRedemptionEvents(
    tx,
    "redemption.created",
    issued.map((x) => x.id),
  );
}

/**
 * A code per award, by index; a gift card with no code left in its pool gets none. A caller that
 * locks catalog items first (every item it may take, in one statement) keeps the lock order.
 */
async function takeCodes(
  tx: Tx,
  awards: readonly PrizeAward[],
  prizes: Map<string, PrizeRow>,
): Promise<Array<Code | undefined>> {
  const codes: Array<Code | undefined> = new Array(awards.length);
  const byPrize = new Map<string, number[]>();
  awards.forEach((award, i) => {
    if (prizes.get(award.prizeId)?.from_pool) {
      byPrize.set(award.prizeId, [...(byPrize.get(award.prizeId) ?? []), i]);
    } else {
      const plain = newRedemptionCode();
      codes[i] = { ...encryptCode(plain), plain };
    }
  });
  await lockPrizeCodes(tx, [...byPrize.keys()]);
  for (const [prizeId, indexes] of [...byPrize].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const usable = await takeUsableCodes(tx, prizeId, indexes.length, null);
    indexes.forEach((awardIndex, k) => {
      codes[awardIndex] = usable[k];
    });
  }
  return codes;
}
