/** Rounds as the browser may see them: the request, the answer, the refusals. */
import { z } from "zod";
import { gameIds, MAX_STAKE_MINOR } from "@/lib/games/model";
import type { RedemptionStatus } from "@/lib/redemptions/model";
import { type Currency, coinAmount, currencySchema } from "@/lib/wallet/model";

/** What POST /api/v1/rounds takes (the game's own params are checked by the game). */
export const roundRequestSchema = z.object({
  game: z.enum(gameIds, { error: "game is dice or scratch" }),
  currency: currencySchema,
  stake: coinAmount.refine((minor) => minor <= MAX_STAKE_MINOR, {
    message: "The stake is at most 1000000.00",
  }),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type RoundRequestBody = z.infer<typeof roundRequestSchema>;

/** Why a round was refused: stable codes for the API, the audit trail and the page. */
export type RoundRefusal =
  | "insufficient_funds"
  | "limit_reached"
  | "self_excluded"
  | "not_eligible:region";

/** A round as its player sees it (GET /api/v1/rounds/{id} adds the seed once revealed). */
export type RoundView = {
  id: string;
  game: (typeof gameIds)[number];
  currency: Currency;
  stake: string;
  payout: string;
  outcome: Record<string, unknown>;
  serverSeedHash: string;
  clientSeed: string;
  nonce: number;
  balanceAfter: string;
  playedAt: string;
  /** The prize the round won (the scratch card's prize tier), redeemed as any prize. */
  prizeId: string | null;
  /**
   * That prize's redemption and its code, shown to its owner only, and only once it is neither
   * held for the player's identity and email nor waiting for an admin's approval.
   */
  redemption: { id: string; status: RedemptionStatus; code: string | null } | null;
};

/** The most rounds a page of history holds. */
export const ROUNDS_PAGE_MAX = 100;
