import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { recordEvents } from "@/lib/audit/record-event";
import { lockPrizeCodes } from "@/lib/codes/take-gift-codes";
import { env } from "@/lib/config/env";
import { notifyNextSteps } from "@/lib/notifications/notifications";
import { type IssuedPrize, issuePrizeRedemptions } from "@/lib/redemptions/issue-prize";
import type { RedemptionStatus } from "@/lib/redemptions/model";
import { lockPlayerAccounts } from "@/lib/wallet/journal";

type OfferedItem = {
  id: string;
  prize_id: string;
  price_sc: string;
  stock: number;
};

/**
 * Awards the prize offered now to a round's player, or undefined: the round pays coins.
 * `coinValue` is what the tier pays in coins for this stake (minor units).
 */
export type AwardInstantPrize = (
  playerId: string,
  roundId: string,
  coinValue: number,
) => Promise<IssuedPrize | undefined>;

/**
 * The instant-win prizes of one transaction (a batch of rounds). At the first prize tier it locks
 * every item that may be awarded (flagged, not retired, with stock) in id order in one statement,
 * then the code locks of their gift-card prizes, sorted: so a transaction never takes an item's
 * lock while holding a prize's code lock, whichever items its prize tiers end up taking, and a
 * catalog redemption (one item, then its prize's codes) cannot close a cycle with it.
 *
 * Each award takes the first item by position with stock whose price is at most the tier's coin
 * value for the stake: a prize never outweighs the coins the tier stands for, so no stake, however
 * small, plays above the paytable's RTP (a 0.01 SC card must not win a 750 SC hoodie). Then the
 * catalog's rules: a player who
 * has not declared an identity and verified an email gets the prize held (status held, released
 * by releaseHeldPrizes when both are done); above the approval threshold it waits for an admin
 * (pending_approval). Either way the round is a prize win.
 */
export function offerInstantPrizes(
  tx: Tx,
  now: Date,
  approvalThresholdSc = env().CATALOG_APPROVAL_THRESHOLD_SC,
): AwardInstantPrize {
  let offered: OfferedItem[] | undefined;
  return async (playerId, roundId, coinValue) => {
    offered ??= await lockOfferedItems(tx);
    const item = offered.find((i) => i.stock > 0 && Number(i.price_sc) <= coinValue);
    if (!item) return undefined;
    const [player] = await tx.execute<{ ready: boolean }>(sql`
      select email_verified_at is not null and identity_declared_at is not null as ready
      from users where id = ${playerId}`);
    const price = Number(item.price_sc);
    const [issue] = await issuePrizeRedemptions(
      tx,
      [
        {
          playerId,
          prizeId: item.prize_id,
          origin: { catalogItemId: item.id, priceSc: price, roundId },
          held: !player?.ready,
          pendingApproval: price > approvalThresholdSc,
        },
      ],
      now,
    );
    // A gift card whose codes ran out: the tier pays its coin value, as the paytable says.
    if (!issue?.ok) return undefined;
    await tx.execute(sql`update catalog_items set stock = stock - 1 where id = ${item.id}`);
    item.stock -= 1;
    return issue.redemption;
  };
}

/** Every item an instant win may take, locked in id order, then their gift codes' locks. */
async function lockOfferedItems(tx: Tx): Promise<OfferedItem[]> {
  const rows = await tx.execute<
    OfferedItem & { from_pool: boolean; position: number; created_at: string }
  >(
    sql`
      select c.id, c.prize_id, c.price_sc, c.stock, c.position, c.created_at,
             p.kind = 'gift_card' and coalesce(p.delivery_provider, 'pool') = 'pool' as from_pool
      from catalog_items c join prizes p on p.id = c.prize_id
      where c.instant_win and c.retired_at is null and c.stock > 0
      order by c.id for update of c`,
  );
  await lockPrizeCodes(
    tx,
    rows.filter((r) => r.from_pool).map((r) => r.prize_id),
  );
  // The operator's order: the first by position, then the oldest.
  return [...rows].sort(
    (a, b) =>
      a.position - b.position ||
      Date.parse(a.created_at) - Date.parse(b.created_at) ||
      (a.id < b.id ? -1 : 1),
  );
}

/**
 * Releases a player's held round prizes once they have declared an identity and verified an
 * email: each goes on as a catalog redemption of its item would (pending_approval above the
 * threshold, else fulfilled, or awaiting_action for a physical prize). Called in the transaction
 * that declares the identity or verifies the email (a password reset verifies it too), after its
 * update of the player's row.
 *
 * Lock order: the player's row (updated by the caller), then the player's SC account, as
 * purchases take them. A round holds that account while it decides to hold a prize, so a prize
 * held by a round that commits first is found here, and a round after this commits sees the
 * player ready.
 */
export async function releaseHeldPrizes(
  tx: Tx,
  playerId: string,
  approvalThresholdSc = env().CATALOG_APPROVAL_THRESHOLD_SC,
): Promise<void> {
  await lockPlayerAccounts(tx, [playerId], "SC");
  const released = await tx.execute<{ id: string; status: RedemptionStatus }>(sql`
    update redemptions r
    set status = case
      when r.price_sc > ${approvalThresholdSc} then 'pending_approval'
      when p.kind = 'physical' then 'awaiting_action'
      else 'fulfilled' end::redemption_status
    from prizes p, users u
    where p.id = r.prize_id and u.id = r.player_id and r.player_id = ${playerId}
      and r.status = 'held'
      and u.email_verified_at is not null and u.identity_declared_at is not null
    returning r.id, r.status`);
  await recordEvents(
    tx,
    released.map((r) => ({
      actorId: playerId,
      action: "prize_release",
      subject: `redemption:${r.id}`,
      outcome: "ok" as const,
      data: { before: { status: "held" }, after: { status: r.status } },
    })),
  );
  await notifyNextSteps(
    tx,
    released.map((r) => r.id),
  );
}
