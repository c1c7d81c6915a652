import { z } from "zod";
import { shipmentStepSchema } from "@/lib/delivery/model";
import { ledgerKinds } from "@/lib/ledger/model";
import { redemptionSearchSchema, reversalSchema } from "@/lib/redemptions/model";
import { auditEventResponse } from "./audit";
import { deliveryResponse } from "./deliveries";
import { prizeRecovery, redemptionOrigin } from "./redemptions";
import { dateTime, idPath, prizeKind, type Resource, redemptionStatus, uuid } from "./wire";

const person = z.object({ id: uuid, email: z.string() });

export const adminRedemptionResponse = z
  .object({
    id: uuid,
    claimedAt: dateTime,
    status: redemptionStatus,
    player: person,
    drop: z
      .object({ id: uuid, title: z.string() })
      .nullable()
      .meta({ description: "null for a catalog or round redemption (see origin)" }),
    origin: redemptionOrigin,
    prize: z.object({ id: uuid, name: z.string(), kind: prizeKind }),
    anchoring: z
      .union([
        z.object({ status: z.literal("pending"), leafIndex: z.number().int().nullable() }),
        z.object({ status: z.literal("anchored"), leafIndex: z.number().int() }),
      ])
      .meta({ description: "the leaf's place in the log, and whether a checkpoint covers it" }),
  })
  .meta({ id: "AdminRedemption", description: "A redemption as admins see it (never its code)" });

export const adminRedemptionDetailResponse = adminRedemptionResponse
  .extend({
    unitId: z.number().int().nullable(),
    actionDeadline: dateTime.nullable(),
    shippingAddress: z.record(z.string(), z.string()).nullable(),
    expiredAt: dateTime.nullable(),
    reversal: z
      .object({
        reversedAt: dateTime,
        reason: z.string(),
        prize: prizeRecovery,
        by: person.nullable(),
      })
      .nullable(),
    rejection: z
      .object({ rejectedAt: dateTime, reason: z.string() })
      .nullable()
      .meta({ description: "rejected from the approval queue; the SC were refunded" }),
    ledger: z
      .array(
        z.object({
          kind: z.enum(ledgerKinds),
          leafIndex: z.number().int().nullable(),
          anchored: z.boolean(),
          loggedAt: dateTime,
        }),
      )
      .meta({ description: "its entries in the log: the claim, then an expiry or a reversal" }),
    audit: z
      .array(auditEventResponse)
      .meta({ description: "audit events about it (expiry, shipping, reversal), newest first" }),
  })
  .meta({ id: "AdminRedemptionDetail" });

export const adminRedemptionsPageResponse = z.object({
  redemptions: z.array(adminRedemptionResponse),
  nextAfter: uuid.nullable().meta({ description: "after of the next page" }),
});

export const reversalResponse = z.object({
  redemptionId: uuid,
  reversedAt: dateTime,
  reason: z.string(),
  unitId: z.number().int().nullable(),
  prize: prizeRecovery,
});

export const adminRedemptions: Resource = {
  name: "Admin: redemptions",
  description: "Finding redemptions and reversing them.",
  paths: {
    "/api/v1/admin/redemptions": {
      get: {
        summary: "Search redemptions, newest first",
        access: "admin",
        query: redemptionSearchSchema,
        replies: {
          200: {
            description: "A page; nextAfter continues it",
            json: adminRedemptionsPageResponse,
          },
        },
      },
    },
    "/api/v1/admin/redemptions/{id}": {
      get: {
        summary: "One redemption with its ledger entries and audit trail",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: adminRedemptionDetailResponse } },
        errors: { not_found: "no such redemption" },
      },
    },
    "/api/v1/admin/redemptions/{id}/shipment": {
      post: {
        summary:
          "Record a parcel's next step: packed, shipped (carrier, tracking number), delivered",
        description:
          "Steps follow each other: packed once the player confirmed an address, shipped once packed, delivered once shipped; the player sees each live. Delivered is the delivery's outcome, logged with the hash of the tracking number. Audited.",
        access: "admin",
        path: idPath,
        body: shipmentStepSchema,
        replies: {
          200: {
            description: "The delivery after the step",
            json: deliveryResponse.omit({ reward: true }),
          },
        },
        errors: {
          not_found: "no such redemption",
          bad_request: "not a shipped prize",
          out_of_order: "not the parcel's next step (or no address confirmed yet)",
        },
      },
    },
    "/api/v1/admin/redemptions/{id}/reversal": {
      post: {
        summary: "Reverse a redemption (audited with before/after)",
        description:
          "The unit returns to the drop and a reversal entry goes to the ledger. Refused if the redemption was reversed already or expired, or, for a gift card in a live drop, if no unused code is left for the returned unit (import codes first).",
        access: "admin",
        path: idPath,
        body: reversalSchema,
        replies: { 201: { description: "Reversed", json: reversalResponse } },
        errors: {
          not_found: "no such redemption",
          already_reversed: "reversed already",
          already_expired: "expired: its unit went back already",
          gift_codes_exhausted: "no unused code for the returned unit",
        },
      },
    },
  },
};
