import { z } from "zod";
import { receiptSchema } from "@/lib/ledger/receipt";
import { payoutStatuses } from "@/lib/payouts/model";
import { prizeRecoveries, receiptKinds } from "@/lib/redemptions/model";
import { pendingReceiptResponse } from "./claims";
import { deliveryResponse } from "./deliveries";
import { dateTime, idPath, prizeKind, type Resource, redemptionStatus, uuid } from "./wire";

/** What a reversal did with the prize (lib/redemptions/model.ts `prizeRecoveries`). */
export const prizeRecovery = z.enum(prizeRecoveries).meta({
  id: "PrizeRecovery",
  description:
    "returned: the prize had not gone out, its unit is back in stock; cancelling: its gift card is being cancelled at the provider; recovered: the provider cancelled it, the unit is back in stock; lost: it had gone out (a code shown, a card redeemed, tokens sent, a parcel shipped), the unit stays consumed",
});

/** A crypto prize's payment as its player follows it (lib/redemptions/model.ts `PlayerPayout`). */
const playerPayout = z
  .object({
    status: z.enum(payoutStatuses),
    address: z
      .string()
      .nullable()
      .meta({ description: "the wallet paid; null until one is linked" }),
    txHash: z
      .string()
      .nullable()
      .meta({ description: "the payment's transaction, once sent or confirmed" }),
    chainId: z.number().int().nullable(),
  })
  .nullable()
  .meta({
    id: "PlayerPayout",
    description:
      "a crypto prize's payment once the delivery asked for it: awaiting_wallet (link one), due, signed, sent, confirmed (paid), failed, cancelled",
  });

export const anchoredReceiptResponse = receiptSchema.meta({
  id: "AnchoredReceipt",
  description:
    "A receipt whose entry a checkpoint on chain covers: the inclusion proof and the anchor (see docs/receipt.md).",
});

export const receiptResponse = z.union([pendingReceiptResponse, anchoredReceiptResponse]);

/** Which of a redemption's ledger entries a receipt proves. */
export const receiptQuery = z.object({
  kind: z.enum(receiptKinds).default("redemption").meta({
    description:
      "reversal: the receipt of the redemption's reversal entry; delivery: of its delivery's latest outcome (delivered or dead)",
  }),
});

export const redemptionOrigin = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("drop") }),
    z.object({
      kind: z.literal("catalog"),
      catalogItemId: uuid,
      priceSc: z.string().meta({ examples: ["50.00"] }),
    }),
    z.object({ kind: z.literal("round"), roundId: uuid }),
  ])
  .meta({
    id: "RedemptionOrigin",
    description: "a drop's unit, a catalog item bought with SC, or a round's prize",
  });

export const redemptionResponse = z
  .object({
    id: uuid,
    code: z.string().nullable().meta({
      description:
        "shown only to its owner; null while waiting for an admin's approval, and after a rejection; void once reversed (see reversal), unless it is a stock card that had gone out (prize lost)",
    }),
    status: redemptionStatus,
    actionDeadline: dateTime
      .nullable()
      .meta({ description: "a physical prize: confirm a shipping address by then" }),
    shippingAddress: z.record(z.string(), z.string()).nullable(),
    claimedAt: dateTime,
    drop: z
      .object({ id: uuid, title: z.string() })
      .nullable()
      .meta({ description: "null for a catalog or round redemption (see origin)" }),
    origin: redemptionOrigin,
    wonInDraw: z.boolean().meta({ description: "granted at a lottery's draw rather than claimed" }),
    prize: z.object({
      id: uuid,
      name: z.string(),
      kind: prizeKind,
      valueCents: z.number().int(),
      token: z
        .object({ amount: z.string().meta({ examples: ["10.5"] }), symbol: z.string() })
        .nullable()
        .meta({ description: "a crypto prize: the tokens it pays" }),
    }),
    anchoring: z.union([
      z.object({ status: z.literal("pending") }),
      z.object({ status: z.literal("anchored"), treeSize: z.number().int(), txHash: z.string() }),
    ]),
    reversal: z
      .object({ reversedAt: dateTime, reason: z.string(), prize: prizeRecovery })
      .nullable()
      .meta({
        description:
          "set when an admin reversed the redemption; its ledger entry has a receipt of its own (receipt?kind=reversal)",
      }),
    rejection: z.object({ rejectedAt: dateTime, reason: z.string() }).nullable().meta({
      description:
        "set when an admin rejected it from the approval queue: the SC came back, and a reversal entry was logged (receipt?kind=reversal)",
    }),
    delivery: deliveryResponse.extend({ payout: playerPayout }).nullable().meta({
      description:
        "how the prize reaches the player; its status changes live. A delivered parcel keeps its shipment (step shipped) for its carrier.",
    }),
  })
  .meta({ id: "Redemption" });

export const redemptionsResponse = z.object({ redemptions: z.array(redemptionResponse) });

export const redemptions: Resource = {
  name: "Redemptions",
  description: "A player's own redemptions and their receipts.",
  paths: {
    "/api/v1/redemptions": {
      get: {
        summary: "The caller's redemptions",
        access: "player",
        replies: {
          200: { description: "OK", json: redemptionsResponse },
        },
      },
    },
    "/api/v1/redemptions/stream": {
      get: {
        summary: "The caller's deliveries, live (Server-Sent Events)",
        description:
          "A `deliveries` event, `{deliveries: [{redemptionId, delivery}]}` for the caller's newest 200 redemptions (`delivery` as in GET /api/v1/redemptions/{id}), at once and whenever one of them moves, and heartbeats; the stream ends once the caller may no longer watch, and EventSource reconnects. A player may hold 5 streams at once per web process; a sixth is refused.",
        access: "player",
        replies: { 200: { description: "An event stream", text: "text/event-stream" } },
        errors: { rate_limited: "the player holds 5 open streams already: close one first" },
      },
    },
    "/api/v1/redemptions/{id}": {
      get: {
        summary: "One of the caller's redemptions",
        access: "player",
        path: idPath,
        replies: { 200: { description: "OK", json: redemptionResponse } },
        errors: { not_found: "no such redemption among the caller's" },
      },
    },
    "/api/v1/redemptions/{id}/receipt": {
      get: {
        summary: "The current receipt (pending or anchored)",
        description:
          "kind=reversal gives the receipt of the redemption's reversal entry, kind=delivery that of its delivery's latest outcome (same format; 404 if there is none yet). A player reads their own redemptions' receipts; an auditor reads any redemption's, the same document its player gets.",
        access: "playerOrAuditor",
        path: idPath,
        query: receiptQuery,
        replies: { 200: { description: "The receipt", json: receiptResponse } },
        errors: {
          not_found:
            "no such redemption (among the caller's, for a player), or no such reversal or delivery outcome",
        },
      },
    },
  },
};
