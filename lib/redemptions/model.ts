/** Redemptions as the browser may see them: statuses, the player's and the admin's views, forms. */
import { z } from "zod";
import type { AuditEventView } from "@/lib/audit/model";
import type { DeliveryView, Reward } from "@/lib/delivery/model";
import type { LedgerKind } from "@/lib/ledger/model";
import type { ProvisionalPromise } from "@/lib/ledger/provisional";
import type { PayoutStatus } from "@/lib/payouts/model";
import type { PrizeKind } from "@/lib/prizes/model";
import { moment, optional } from "@/lib/validation/query-fields";
import { NUL_MESSAGE, plainText, withoutNul } from "@/lib/validation/storable-text";
import { formatCoins } from "@/lib/wallet/model";

export const redemptionStatuses = [
  "fulfilled",
  "awaiting_action",
  "expired",
  "reversed",
  "pending_approval",
  "rejected",
  "held",
] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

/** The filters of the admin search page and API (all optional) and the page asked for. */
export const redemptionSearchSchema = z.object({
  /** A player's account id, or their email address (exact, any case). */
  player: optional(plainText(254)),
  dropId: optional(z.uuid({ error: "Drop is a drop id" })),
  prizeId: optional(z.uuid({ error: "Prize is a prize id" })),
  status: optional(
    z.enum(redemptionStatuses, {
      error: `Status is one of ${redemptionStatuses.join(", ")}`,
    }),
  ),
  from: optional(moment),
  to: optional(moment),
  /** The id of the last redemption of the previous page. */
  after: optional(z.uuid({ error: "after is a redemption id" })),
  limit: optional(z.coerce.number().int().min(1).max(200)),
});
export type RedemptionSearch = z.infer<typeof redemptionSearchSchema>;

export type AdminRedemptionSummary = {
  id: string;
  claimedAt: string;
  status: RedemptionStatus;
  player: { id: string; email: string };
  /** null for a catalog or round redemption: `origin` says where it came from. */
  drop: { id: string; title: string } | null;
  origin: RedemptionOrigin;
  prize: { id: string; name: string; kind: PrizeKind };
  /** The redemption leaf's place in the log and whether a checkpoint on chain covers it. */
  anchoring:
    | { status: "pending"; leafIndex: number | null }
    | { status: "anchored"; leafIndex: number };
};

export type AdminRedemptionDetail = AdminRedemptionSummary & {
  unitId: number | null;
  actionDeadline: string | null;
  shippingAddress: Record<string, string> | null;
  expiredAt: string | null;
  reversal: {
    reversedAt: string;
    reason: string;
    /** What became of the prize: back in stock, being cancelled, recovered or lost. */
    prize: PrizeRecovery;
    by: { id: string; email: string } | null;
  } | null;
  /** Set when an admin rejected it from the approval queue (the SC were refunded). */
  rejection: { rejectedAt: string; reason: string } | null;
  /** The redemption's entries in the log: its claim, then an expiry or a reversal. */
  ledger: Array<{
    kind: LedgerKind;
    leafIndex: number | null;
    anchored: boolean;
    loggedAt: string;
  }>;
  /** Audit events about this redemption (expiry, shipping, reversal), newest first. */
  audit: AuditEventView[];
};

/** Where a redemption came from: a drop's unit, a catalog item bought with SC, or a round won. */
export type RedemptionOrigin =
  | { kind: "drop" }
  | { kind: "catalog"; catalogItemId: string; priceSc: string }
  | { kind: "round"; roundId: string };

export type RedemptionView = {
  id: string;
  /**
   * null while an admin has not approved it (pending_approval), while it is held for the
   * player's identity and email (held), and for good once rejected.
   */
  code: string | null;
  status: RedemptionStatus;
  actionDeadline: string | null;
  shippingAddress: Record<string, string> | null;
  claimedAt: string;
  /** null for a catalog or round redemption: `origin` says where it came from. */
  drop: { id: string; title: string } | null;
  origin: RedemptionOrigin;
  /** Granted at a lottery's draw rather than claimed. */
  wonInDraw: boolean;
  prize: {
    id: string;
    name: string;
    kind: PrizeKind;
    valueCents: number;
    /** A crypto prize's payment: how many tokens of which symbol ("10.5", "PLT"). */
    token: { amount: string; symbol: string } | null;
  };
  anchoring: { status: "pending" } | { status: "anchored"; treeSize: number; txHash: string };
  /** Set when an admin reversed the redemption: the unit went back and a reversal leaf was logged. */
  reversal: { reversedAt: string; reason: string; prize: PrizeRecovery } | null;
  /** Set when an admin rejected it from the approval queue: the SC came back. */
  rejection: { rejectedAt: string; reason: string } | null;
  /**
   * How the prize is reaching the player; `reward` is the card a provider issued (its owner
   * only), null until delivered or when the code above is the prize; `payout` a crypto prize's
   * payment, once the delivery has asked for it.
   */
  delivery: (DeliveryView & { reward: Reward | null; payout: PlayerPayout | null }) | null;
};

/** A crypto prize's payment as its player follows it (lib/payouts, docs/payouts.md). */
export type PlayerPayout = {
  status: PayoutStatus;
  /** The wallet it is paid to; null while the player has none linked. */
  address: string | null;
  /**
   * Its transaction once broadcast (sent or confirmed); not while only signed, since a signed
   * transaction that never gets mined is replaced by another.
   */
  txHash: string | null;
  chainId: number | null;
};

/** A token amount as stored (numeric text, "10.500000000000000000") as a player reads it: "10.5". */
export function formatTokenAmount(amount: string): string {
  return amount.includes(".") ? amount.replace(/0+$/, "").replace(/\.$/, "") : amount;
}

/**
 * Whether a reversal voided the redemption's code. It did, except where the code is the prize
 * itself (a card from our stock) and had gone out (`lost`): that card is the player's and cannot
 * be withdrawn, as a provider's card spent before its cancel is shown again.
 */
export function codeIsVoid(r: Pick<RedemptionView, "reversal" | "delivery">): boolean {
  if (!r.reversal) return false;
  return !(r.reversal.prize === "lost" && r.delivery?.provider === "pool");
}

/** A redemption's delivery as it stands. */
export type PlayerDelivery = { redemptionId: string; delivery: RedemptionView["delivery"] };
/** The body of a `deliveries` event of the live stream: the player's newest 200. */
export type PlayerDeliveries = { deliveries: PlayerDelivery[] };

/** The origin of a redemption row: exactly one of drop, catalog item and round is set. */
export function redemptionOriginOf(row: {
  catalogItemId: string | null;
  roundId: string | null;
  priceSc: number | null;
}): RedemptionOrigin {
  // A round's prize names the catalog item whose stock it took too: the round is its origin.
  if (row.roundId) return { kind: "round", roundId: row.roundId };
  if (row.catalogItemId) {
    return {
      kind: "catalog",
      catalogItemId: row.catalogItemId,
      priceSc: formatCoins(row.priceSc ?? 0),
    };
  }
  return { kind: "drop" };
}

/** Where a redemption came from, in a few words (a drop's title, the catalog, a round). */
export function describeOrigin(r: {
  drop: { title: string } | null;
  origin: RedemptionOrigin;
}): string {
  if (r.origin.kind === "catalog") return `Catalog (${r.origin.priceSc} SC)`;
  if (r.origin.kind === "round") return "Game round";
  return r.drop?.title ?? "—";
}

/**
 * Whether the player may see the prize's code: not before approval, nor after a rejection, nor
 * while a round's prize is held for the player's identity and email.
 */
export function codeIsShown(status: RedemptionStatus): boolean {
  return status !== "pending_approval" && status !== "rejected" && status !== "held";
}

export type PendingReceipt = {
  version: 1;
  status: "pending";
  leaf: { index: number | null; data: string; salt: string; playerId: string };
  /** The operator's signed promise to anchor by a deadline (see lib/ledger/provisional.ts). */
  promise?: ProvisionalPromise;
};

export type AnchoredReceipt = {
  version: 1;
  status: "anchored";
  leaf: { index: number; data: string; salt: string; playerId: string };
  inclusionProof: string[];
  checkpoint: { treeSize: number; rootHash: string };
  /** The checkpoint as a signed note with its cosignatures (absent before the log signed any). */
  signedCheckpoint?: string;
  /** The same proof in C2SP tlog-proof@v1 text (with signedCheckpoint only). */
  tlogProof?: string;
  anchor: {
    chainId: number;
    contract: string;
    txHash: string;
    blockNumber: number;
    blockTime: number;
  };
};

/** Which of a redemption's ledger entries a receipt proves: the claim itself, or its reversal. */
/** A redemption's receipts: its claim, its reversal, and its delivery's latest outcome. */
export const receiptKinds = ["redemption", "reversal", "delivery"] as const;
export type ReceiptKind = (typeof receiptKinds)[number];

const line = (label: string, max = 120) =>
  z
    .string()
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} is too long`)
    .refine(withoutNul, NUL_MESSAGE);

export const shippingAddressSchema = z.object({
  name: line("Name"),
  line1: line("Address"),
  line2: z
    .string()
    .trim()
    .max(120, "Address line 2 is too long")
    .refine(withoutNul, NUL_MESSAGE)
    .default(""),
  city: line("City", 80),
  postalCode: line("Postal code", 20),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "Country is a two-letter code, e.g. DE"),
});
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

export const reversalSchema = z.object({
  reason: z
    .string({ error: "Say why the redemption is reversed" })
    .trim()
    .min(1, "Say why the redemption is reversed")
    .max(500, "At most 500 characters")
    .refine(withoutNul, NUL_MESSAGE),
});

export type ReversalRequest = { redemptionId: string; adminId: string; reason: string };

/**
 * What a reversal did with the prize. `returned`: it had not gone out, its unit is back in the
 * drop. `cancelling`: its gift card is at the provider, a job is cancelling it. `recovered`: the
 * provider cancelled the card, the unit is back. `lost`: it had gone out (a code shown, a card
 * redeemed, tokens sent, a parcel shipped): the unit stays consumed.
 */
export const prizeRecoveries = ["returned", "cancelling", "recovered", "lost"] as const;
export type PrizeRecovery = (typeof prizeRecoveries)[number];

/** For admins: what became of the prize and of its unit. */
export const prizeRecoveryLabels: Record<PrizeRecovery, string> = {
  returned: "Prize not sent: the unit is back in the drop",
  cancelling: "Gift card being cancelled at the provider: the unit comes back once it is",
  recovered: "Gift card cancelled at the provider: the unit is back in the drop",
  lost: "Prize already out, not recoverable: the unit stays consumed",
};

/** For the player: what became of their prize. */
export const prizeRecoveryNotices: Record<PrizeRecovery, string> = {
  returned: "Your prize had not been sent: it went back to the drop.",
  cancelling: "Your gift card is being cancelled at the provider: it will stop working.",
  recovered: "Your gift card was cancelled at the provider: it no longer works.",
  lost: "Your prize had already been sent.",
};

export type Reversal = {
  redemptionId: string;
  reversedAt: string;
  reason: string;
  unitId: number | null;
  prize: PrizeRecovery;
};
