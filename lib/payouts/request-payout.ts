import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { tokenPayouts, walletLinks } from "@/db/schema";
import { lockAccountLinks } from "./link-wallet";
import type { PayoutStatus } from "./model";

export type TokenPayoutRequest = {
  redemptionId: string;
  playerId: string;
  /** In the token's base units (tokenBaseUnits of the prize's token amount). */
  amountBaseUnits: bigint;
};

/**
 * Records a crypto redemption's payout, inside the caller's transaction (the delivery task's):
 * due at once to the player's linked wallet, or waiting for one (a link made later makes it due
 * in the link's transaction). Asking again for the same redemption changes nothing and answers
 * its payout's status as it stands, so a retried delivery never pays twice; only a payout that
 * failed (never signed, so never sent) is made due again, for an admin's retry to mean one.
 */
export async function requestTokenPayout(
  tx: Tx,
  request: TokenPayoutRequest,
): Promise<{ status: PayoutStatus }> {
  if (request.amountBaseUnits <= 0n) {
    throw new Error(`a payout of ${request.amountBaseUnits} base units is not a payout`);
  }
  await lockAccountLinks(tx, request.playerId);
  const [link] = await tx
    .select({ address: walletLinks.address })
    .from(walletLinks)
    .where(and(eq(walletLinks.userId, request.playerId), isNull(walletLinks.unlinkedAt)));
  const [inserted] = await tx
    .insert(tokenPayouts)
    .values({
      redemptionId: request.redemptionId,
      playerId: request.playerId,
      amount: request.amountBaseUnits.toString(),
      address: link?.address ?? null,
      status: link ? "due" : "awaiting_wallet",
    })
    .onConflictDoNothing()
    .returning({ status: tokenPayouts.status });
  if (inserted) {
    if (inserted.status === "due") await notify(tx, "token_payouts");
    return { status: inserted.status as PayoutStatus };
  }
  const [existing] = await tx
    .select({ status: tokenPayouts.status, playerId: tokenPayouts.playerId })
    .from(tokenPayouts)
    .where(eq(tokenPayouts.redemptionId, request.redemptionId));
  if (!existing || existing.playerId !== request.playerId) {
    throw new Error(`redemption ${request.redemptionId} has another player's payout`);
  }
  if (existing.status === "failed") {
    // Asked again after a failure: an admin retried the dead delivery (the prize mended, say).
    // A payout fails only before it is signed (run-payouts.ts failPayout), so it was never sent
    // and may be made due again; its next outcome is reported afresh.
    const [rearmed] = await tx
      .update(tokenPayouts)
      .set({
        status: link ? "due" : "awaiting_wallet",
        address: link?.address ?? null,
        failureCode: null,
        lastError: null,
        reportedStatus: null,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(tokenPayouts.redemptionId, request.redemptionId),
          eq(tokenPayouts.status, "failed"),
          isNull(tokenPayouts.batchId),
        ),
      )
      .returning({ status: tokenPayouts.status });
    if (rearmed) {
      if (rearmed.status === "due") await notify(tx, "token_payouts");
      return { status: rearmed.status as PayoutStatus };
    }
  }
  return { status: existing.status as PayoutStatus };
}
