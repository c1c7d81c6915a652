import { z } from "zod";
import {
  createCatalogItemSchema,
  identitySchema,
  rejectionSchema,
  updateCatalogItemSchema,
} from "@/lib/catalog/model";
import { idempotencyKey } from "./claims";
import { receiptResponse, redemptionResponse } from "./redemptions";
import { createdResponse, dateTime, idPath, prizeKind, type Resource, uuid } from "./wire";

export const catalogItemResponse = z
  .object({
    id: uuid,
    prize: z.object({
      id: uuid,
      name: z.string(),
      kind: prizeKind,
      description: z.string().nullable(),
      valueCents: z.number().int(),
    }),
    price: z.string().meta({ description: "in SC", examples: ["50.00"] }),
    stock: z.number().int().meta({ description: "units left to redeem" }),
    position: z.number().int(),
    instantWin: z
      .boolean()
      .meta({ description: "the scratch card's prize tier awards the first such item in stock" }),
    retiredAt: dateTime.nullable().meta({ description: "a retired item is not on sale" }),
  })
  .meta({ id: "CatalogItem" });

export const catalogResponse = z.object({ items: z.array(catalogItemResponse) });

export const catalogRedemptionResponse = z.object({
  redemption: redemptionResponse,
  receipt: receiptResponse,
});

export const identityResponse = z
  .object({
    legalName: z.string().nullable(),
    birthDate: z
      .string()
      .nullable()
      .meta({ examples: ["1990-04-30"] }),
    postalAddress: z.record(z.string(), z.string()).nullable(),
    declaredAt: dateTime.nullable().meta({ description: "null: not declared yet" }),
  })
  .meta({ id: "Identity" });

export const pendingApprovalsResponse = z.object({
  redemptions: z.array(
    z.object({
      id: uuid,
      requestedAt: dateTime,
      player: z.object({ id: uuid, email: z.string() }),
      catalogItemId: uuid,
      roundId: uuid.nullable().meta({
        description: "a prize won in this game round (nothing paid; price is the item's)",
      }),
      prize: z.object({ id: uuid, name: z.string(), kind: prizeKind }),
      price: z.string().meta({
        description: "SC taken (a round's prize: the item's price)",
        examples: ["600.00"],
      }),
    }),
  ),
});

export const reviewResponse = z.object({
  redemptionId: uuid,
  status: z.enum(["fulfilled", "awaiting_action", "rejected"]),
  reviewedAt: dateTime,
  refundedSc: z.string().meta({
    description:
      "SC given back (0.00 for an approval; a round's prize: the prize tier's coin value)",
  }),
});

export const catalog: Resource = {
  name: "Catalog",
  description:
    "Prizes bought with Sweeps Coins, and the identity a player declares before redeeming.",
  paths: {
    "/api/v1/catalog": {
      get: {
        summary: "The items on sale, with their SC price and stock",
        access: "public",
        replies: { 200: { description: "OK", json: catalogResponse } },
      },
    },
    "/api/v1/catalog/{itemId}/redemptions": {
      post: {
        summary: "Redeem an item for Sweeps Coins",
        description:
          "One transaction: the rules, one unit of stock, the SC debit and the redemption (code, ledger leaf, receipt). The same Idempotency-Key answers the same redemption again (Idempotent-Replayed: true); with another item, 422. Above the approval threshold the redemption waits for an admin (status pending_approval, code null until approved; a rejection refunds the SC).",
        access: "player",
        path: z.object({ itemId: uuid }),
        headers: z.object({ "Idempotency-Key": idempotencyKey }),
        replies: { 201: { description: "Redeemed", json: catalogRedemptionResponse } },
        errors: {
          invalid_input: "no or a malformed Idempotency-Key",
          not_found: "no such item on sale",
          insufficient_funds: "the SC balance is below the price",
          not_redeemable: "the SC played through once (balance - playthrough) are below the price",
          below_minimum: "the item costs less than the minimum redemption",
          identity_required: "declare an identity first (PUT /api/v1/account/identity)",
          email_unverified: "confirm the account's email first",
          out_of_stock: "no stock (or gift-card code) left",
          not_eligible: "error.reason not_eligible:region: Sweeps Coins are closed in the region",
          self_excluded: "a cool-off or self-exclusion is in force",
          idempotency_mismatch: "the key was used for another item",
        },
      },
    },
    "/api/v1/account/identity": {
      get: {
        summary: "The identity the caller declared",
        access: "player",
        replies: { 200: { description: "OK", json: identityResponse } },
      },
      put: {
        summary: "Declare legal name, date of birth (18 or older) and postal address",
        description: "Needed before redeeming Sweeps Coins. Declaring again replaces it; audited.",
        access: "player",
        body: identitySchema,
        replies: { 200: { description: "Declared", json: identityResponse } },
      },
    },
  },
};

export const adminCatalog: Resource = {
  name: "Admin: catalog",
  description: "Putting prizes on sale for Sweeps Coins.",
  paths: {
    "/api/v1/admin/catalog": {
      get: {
        summary: "Every catalog item, retired ones included",
        access: "admin",
        replies: { 200: { description: "OK", json: catalogResponse } },
      },
      post: {
        summary: "Put a prize on sale for SC (audited)",
        access: "admin",
        body: createCatalogItemSchema,
        replies: { 201: { description: "Created", json: createdResponse } },
      },
    },
    "/api/v1/admin/catalog/{id}": {
      patch: {
        summary: "Change an item's price, stock or position, or retire it (audited)",
        access: "admin",
        path: idPath,
        body: updateCatalogItemSchema,
        replies: { 200: { description: "The item", json: catalogItemResponse } },
        errors: { not_found: "no such item" },
      },
    },
    "/api/v1/admin/catalog/approvals": {
      get: {
        summary: "Redemptions above the threshold waiting for approval, oldest first",
        access: "admin",
        replies: { 200: { description: "The queue", json: pendingApprovalsResponse } },
      },
    },
    "/api/v1/admin/redemptions/{id}/approval": {
      post: {
        summary: "Approve a held redemption: its code is shown to the player (audited)",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "Approved", json: reviewResponse } },
        errors: {
          not_found: "no such redemption in the queue",
          already_reviewed: "approved or rejected already",
        },
      },
    },
    "/api/v1/admin/redemptions/{id}/rejection": {
      post: {
        summary: "Reject a held redemption with a reason: SC refunded once, stock back (audited)",
        description:
          "The refund is the journal transaction refund:<id>; a reversal entry joins the redemption's in the public log.",
        access: "admin",
        path: idPath,
        body: rejectionSchema,
        replies: { 200: { description: "Rejected and refunded", json: reviewResponse } },
        errors: {
          not_found: "no such redemption in the queue",
          already_reviewed: "approved or rejected already",
        },
      },
    },
  },
};
