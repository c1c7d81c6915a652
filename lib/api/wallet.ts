import { z } from "zod";
import { grantSchema, mailInIssueSchema, mailInRedeemSchema } from "@/lib/wallet/model";
import { idempotencyKey } from "./claims";
import { dateTime, type Resource, uuid } from "./wire";

/** Coins on the wire: a decimal string with two places. */
const coins = z
  .string()
  .regex(/^-?[0-9]+\.[0-9]{2}$/)
  .meta({ examples: ["12.50"] });

export const walletResponse = z
  .object({
    balances: z.object({ GC: coins, SC: coins }),
    redeemableSC: coins.meta({
      description: "the part of the SC balance played through once, which may be redeemed",
    }),
  })
  .meta({ id: "Wallet" });

export const dailyBonusResponse = z.object({
  amount: coins,
  nextAt: dateTime.meta({
    description: "when the next day's free SC may be claimed (UTC midnight)",
  }),
  wallet: walletResponse,
});

export const mailInResponse = z.object({ amount: coins, wallet: walletResponse });

export const grantResponse = z.object({ transactionId: uuid });

export const mailInCodesResponse = z.object({
  codes: z.array(z.string()).meta({ description: "shown this once: only their hashes are kept" }),
  amount: coins,
});

const sweepsRefusals = {
  not_eligible:
    "error.reason not_eligible:region: Sweeps Coins are not offered in the player's region",
  self_excluded: "a cool-off or self-exclusion is running (the message says until when)",
} as const;

export const wallet: Resource = {
  name: "Wallet",
  description:
    "The caller's Gold Coins (play only) and Sweeps Coins (redeemable once played through), kept in a double-entry journal.",
  paths: {
    "/api/v1/wallet": {
      get: {
        summary: "The caller's balances",
        access: "player",
        replies: { 200: { description: "OK", json: walletResponse } },
      },
    },
    "/api/v1/wallet/stream": {
      get: {
        summary: "The caller's balances, live (Server-Sent Events)",
        description:
          "A `balances` event (the body of GET /api/v1/wallet) at once and whenever they move, and heartbeats; the stream ends once the caller may no longer watch, and EventSource reconnects.",
        access: "player",
        replies: { 200: { description: "An event stream", text: "text/event-stream" } },
      },
    },
    "/api/v1/wallet/daily-bonus": {
      post: {
        summary: "Claim today's free Sweeps Coins",
        description:
          "Once per UTC day (DAILY_SC, 1.00 by default); free SC must be played through once before it is redeemable. No body.",
        access: "player",
        replies: { 201: { description: "Credited", json: dailyBonusResponse } },
        errors: {
          ...sweepsRefusals,
          already_claimed: "claimed today already (error.nextAt)",
        },
      },
    },
    "/api/v1/wallet/mail-in": {
      post: {
        summary: "Redeem a mail-in code for free Sweeps Coins",
        access: "player",
        body: mailInRedeemSchema,
        replies: { 201: { description: "Credited", json: mailInResponse } },
        errors: {
          ...sweepsRefusals,
          invalid_code: "no such code",
          code_used: "the code was redeemed already",
        },
      },
    },
    "/api/v1/admin/wallet/grants": {
      post: {
        summary: "Grant coins to a player, with a reason (audited)",
        description:
          "From the promotions account; granted SC must be played through once. The same Idempotency-Key (per admin) grants once: a repeat answers 201 with Idempotent-Replayed: true.",
        access: "admin",
        headers: z.object({ "Idempotency-Key": idempotencyKey }),
        body: grantSchema,
        replies: { 201: { description: "Granted", json: grantResponse } },
        errors: {
          not_found: "no such player",
          idempotency_mismatch: "the key was used for another grant",
        },
      },
    },
    "/api/v1/admin/wallet/mail-in-codes": {
      post: {
        summary: "Issue mail-in codes for free Sweeps Coins",
        description: "The codes are in this answer only; the database keeps their SHA-256.",
        access: "admin",
        body: mailInIssueSchema,
        replies: { 201: { description: "Issued", json: mailInCodesResponse } },
      },
    },
  },
};
