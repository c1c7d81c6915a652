import { z } from "zod";
import { attemptsPageSchema } from "@/lib/audit/model";
import { provisionalReceiptSchema } from "@/lib/ledger/provisional";
import { dateTime, outcome, type Resource, uuid } from "./wire";

/** A claim's body is ignored, but read (to hash it with the key), and so bounded. */
export const CLAIM_BODY_MAX_BYTES = 4096;

/** The Idempotency-Key header of a claim. */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(200, "Idempotency-Key is at most 200 characters")
  .regex(/^[\x21-\x7e]+$/, "Idempotency-Key must be printable ASCII without spaces");

export const pendingReceiptResponse = provisionalReceiptSchema
  .extend({
    promise: provisionalReceiptSchema.shape.promise.optional().meta({
      description:
        "the operator's signed promise to anchor the entry by anchorBy (absent when no signing key is configured)",
    }),
  })
  .meta({
    id: "PendingReceipt",
    description:
      "A receipt whose entry is not anchored yet (see docs/receipt.md); leaf.index is null until the entry is sequenced.",
  });

export const claimResponse = z.object({
  redemption: z.object({
    id: uuid,
    dropId: uuid,
    prizeId: uuid,
    unitId: z.number().int(),
    claimedAt: dateTime,
    status: z.enum(["fulfilled", "awaiting_action"]),
    actionDeadline: dateTime
      .nullable()
      .meta({ description: "a physical prize: confirm a shipping address by then" }),
    receipt: pendingReceiptResponse,
    code: z.string().meta({ description: "the prize's code, shown only to its owner" }),
  }),
  receipt: pendingReceiptResponse,
});

export const claimAttemptResponse = z
  .object({
    id: z.number().int(),
    at: dateTime,
    kind: z.enum(["claim", "lottery entry"]),
    drop: z.object({ id: uuid, title: z.string() }).nullable(),
    outcome,
    reason: z
      .string()
      .nullable()
      .meta({
        description: "the stable refusal code; null when it went through",
        examples: ["not_eligible:region"],
      }),
    message: z.string().nullable().meta({ description: "the refusal as the player was told it" }),
    redemptionId: uuid.nullable(),
  })
  .meta({ id: "ClaimAttempt" });

export const claimAttemptsResponse = z.object({
  attempts: z.array(claimAttemptResponse),
  nextCursor: z.number().int().nullable().meta({ description: "cursor of the next page" }),
});

export const claims: Resource = {
  name: "Claims",
  description: "Claiming a unit of a first-come drop, and the caller's own attempts.",
  paths: {
    "/api/v1/drops/{dropId}/claims": {
      post: {
        summary: "Claim one unit of a drop",
        description: `The same Idempotency-Key (per player) returns the first answer again for at least 24 hours (with Idempotent-Replayed: true); the same key with another request answers 422. The body is ignored (at most ${CLAIM_BODY_MAX_BYTES / 1024} KiB).`,
        access: "player",
        path: z.object({ dropId: uuid }),
        headers: z.object({
          "Idempotency-Key": idempotencyKey.optional(),
          "Admission-Token": z.string().optional().meta({
            description:
              "a drop with a waiting room: the admission token its queue gave the caller (GET /api/v1/drops/{dropId}/queue)",
          }),
        }),
        replies: { 201: { description: "Claimed", json: claimResponse } },
        errors: {
          bad_request: "the body is not UTF-8",
          payload_too_large: `the body is over ${CLAIM_BODY_MAX_BYTES / 1024} KiB`,
          invalid_input: "a malformed Idempotency-Key",
          not_eligible:
            "error.reason names the rule: not_eligible:suspended, verified_email, profile_incomplete, region, location, linked_account, account_age, tier, flagged",
          not_found: "no such drop",
          unavailable:
            "the database is failing over; the claim may or may not be stored: with an Idempotency-Key, retry after Retry-After with the same key; without one, error.outcome is unknown and there is no Retry-After (look at your redemptions before claiming again)",
          not_started: "the drop has not started",
          ended: "the drop has ended",
          paused: "the drop is paused",
          sold_out: "every unit is claimed",
          limit_reached:
            "the player holds the drop's limit; error.redemptionId is their newest redemption of it",
          idempotency_mismatch: "the key was used for another request",
          rate_limited: "too many claims (Retry-After)",
          admission_required:
            "the drop has a waiting room and the Admission-Token is missing, or not this account's for this drop",
          admission_expired: "the Admission-Token expired: join the waiting room again",
        },
      },
    },
    "/api/v1/claim-attempts": {
      get: {
        summary: "The caller's own claim and lottery-entry attempts, newest first, with reasons",
        access: "player",
        query: attemptsPageSchema,
        replies: { 200: { description: "A page of attempts", json: claimAttemptsResponse } },
      },
    },
  },
};
