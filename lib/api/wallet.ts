import { z } from "zod";
import type { CoinPackage } from "@/db/schema";
import {
  formatCents,
  paymentResolutionSchema,
  paymentStatuses,
  purchaseSchema,
  testProviderWebhookSchema,
} from "@/lib/payments/model";
import type { Purchase } from "@/lib/payments/purchases";
import type { PaymentReview } from "@/lib/payments/review-payment";
import {
  currencies,
  formatCoins,
  grantSchema,
  mailInIssueSchema,
  mailInRedeemSchema,
  statementFilterSchema,
  statementPageSchema,
  walletTransactionKinds,
} from "@/lib/wallet/model";
import type { getWalletOverview } from "@/lib/wallet/overview";
import { idempotencyKey } from "./claims";
import { dateTime, exportFormatQuery, idPath, type Resource, uuid } from "./wire";

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

const dollars = z
  .string()
  .regex(/^[0-9]+\.[0-9]{2}$/)
  .meta({ description: "US dollars", examples: ["4.99"] });

export const coinPackageResponse = z
  .object({
    id: uuid,
    name: z.string(),
    price: dollars,
    gc: coins.meta({ description: "Gold Coins bought" }),
    bonusSC: coins.meta({ description: "free Sweeps Coins with it, to play through once" }),
  })
  .meta({ id: "CoinPackage" });

export const coinPackagesResponse = z.object({ packages: z.array(coinPackageResponse) });

export function toCoinPackageView(p: CoinPackage): z.output<typeof coinPackageResponse> {
  return {
    id: p.id,
    name: p.name,
    price: formatCents(p.priceCents),
    gc: formatCoins(p.gc),
    bonusSC: formatCoins(p.bonusSc),
  };
}

export const purchaseView = z
  .object({
    id: uuid,
    status: z.enum(paymentStatuses),
    package: z.object({ id: uuid, name: z.string() }),
    price: dollars,
    gc: coins,
    bonusSC: coins,
    bonusWithheld: z.boolean().meta({
      description:
        "credited without its free SC: the player's region is not open to Sweeps Coins (or not declared)",
    }),
    createdAt: dateTime,
    completedAt: dateTime.nullable(),
    failureReason: z.string().nullable(),
  })
  .meta({ id: "Purchase" });

export function toPurchaseView(p: Purchase) {
  return {
    id: p.id,
    status: p.status as (typeof paymentStatuses)[number],
    package: { id: p.packageId, name: p.packageName },
    price: formatCents(p.amountCents),
    gc: formatCoins(p.gc),
    bonusSC: formatCoins(p.bonusSc),
    bonusWithheld: p.bonusWithheld,
    createdAt: p.createdAt,
    completedAt: p.completedAt,
    failureReason: p.failureReason,
  };
}

export const purchaseResponse = z.object({ purchase: purchaseView });

export const purchaseStartedResponse = z.object({
  purchase: purchaseView,
  confirmUrl: z.url().nullable().meta({
    description: "the provider's page where the player pays; null once the payment is settled",
  }),
});

export const webhookResponse = z.object({
  received: z.literal(true),
  outcome: z.enum(["credited", "failed", "needs_review", "ignored"]).meta({
    description:
      "needs_review: a success for another amount or currency, or a late one (after a failure or an expiry) that would pass a purchase limit, held for an admin; ignored: a duplicate, a failure after a success, or an event about no payment of ours",
  }),
});

export const statementResponse = z.object({
  lines: z.array(
    z
      .object({
        id: z.number().int().meta({ description: "the posting's id (also the page cursor)" }),
        at: dateTime,
        kind: z.enum(walletTransactionKinds),
        description: z.string(),
        currency: z.enum(currencies),
        amount: coins.meta({ description: "signed: a credit is positive" }),
        balanceAfter: coins.meta({ description: "the balance in that currency right after" }),
      })
      .meta({ id: "StatementLine" }),
  ),
  nextCursor: z.number().int().nullable().meta({ description: "cursor of the next (older) page" }),
});

const statementQuery = statementFilterSchema
  .extend(statementPageSchema.shape)
  .extend(exportFormatQuery.shape);

const perCurrency = z.object({ GC: coins, SC: coins });

const paymentToReview = z.object({
  id: uuid,
  at: dateTime,
  player: z.object({ id: uuid, email: z.string() }),
  price: dollars,
  reason: z.string().nullable().meta({ description: "why it was held for review" }),
});

export const walletOverviewResponse = z.object({
  totals: z
    .object({
      house: perCurrency,
      promotions: perCurrency,
      prize_liability: perCurrency,
      purchases: perCurrency,
      players: perCurrency,
    })
    .meta({
      description:
        "each account's balance (the sum of its shards); counterparties go negative by what they gave, players' total is what players hold",
    }),
  paymentsToReview: z.array(paymentToReview).meta({
    description:
      "payments the processor confirmed for another amount or currency, or late past a purchase limit (status needs_review): nothing was credited; an admin resolves each (POST /api/v1/admin/payments/{id}/resolution)",
  }),
  resolvedPayments: z
    .array(
      paymentToReview.extend({
        status: z.enum(["succeeded", "refunded"]).meta({
          description: "succeeded: credited by the admin; refunded: closed as refunded",
        }),
        reviewedAt: dateTime,
        reviewerEmail: z.string().nullable(),
        reviewReason: z.string().nullable(),
        bonusWithheld: z.boolean(),
      }),
    )
    .meta({ description: "the 20 payments resolved last, newest first" }),
  recent: z.array(
    z.object({
      id: uuid,
      at: dateTime,
      kind: z.enum(walletTransactionKinds),
      player: z.object({ id: uuid, email: z.string() }).nullable(),
      actorEmail: z.string().nullable(),
      reason: z.string().nullable(),
      moved: z.object({ GC: coins.optional(), SC: coins.optional() }),
    }),
  ),
});

type Overview = Awaited<ReturnType<typeof getWalletOverview>>;

export function toWalletOverviewView(o: Overview) {
  const money = (m: Partial<Record<"GC" | "SC", number>>) =>
    Object.fromEntries(Object.entries(m).map(([c, v]) => [c, formatCoins(v)]));
  return {
    totals: Object.fromEntries(
      Object.entries(o.totals).map(([k, v]) => [
        k,
        { GC: formatCoins(v.GC), SC: formatCoins(v.SC) },
      ]),
    ) as z.output<typeof walletOverviewResponse>["totals"],
    paymentsToReview: o.toReview.map(({ amountCents, ...p }) => ({
      ...p,
      price: formatCents(amountCents),
    })),
    resolvedPayments: o.resolved.map(({ amountCents, ...p }) => ({
      ...p,
      price: formatCents(amountCents),
    })),
    recent: o.recent.map((t) => ({ ...t, moved: money(t.moved) })),
  };
}

export const paymentReviewResponse = z.object({
  paymentId: uuid,
  status: z.enum(["succeeded", "refunded"]),
  reviewedAt: dateTime,
  gcCredited: coins,
  scCredited: coins.meta({
    description:
      "the package's free SC, or 0.00 when the player's region is closed to Sweeps Coins or a cool-off or self-exclusion runs",
  }),
  limitPassed: z.string().nullable().meta({
    description:
      "the player's purchase limit this credit passes, by the admin's decision (also in the audit event); null when it fits",
  }),
});

export function toPaymentReviewView(r: PaymentReview) {
  return { ...r, gcCredited: formatCoins(r.gcCredited), scCredited: formatCoins(r.scCredited) };
}

const csvBusy =
  "format=csv: this statement is being downloaded already, or 3 downloads are being read at once (each holds a database connection)";

const sweepsRefusals = {
  not_eligible:
    "error.reason not_eligible:region: the player has declared no region, or one where Sweeps Coins are not offered",
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
          "A `balances` event (the body of GET /api/v1/wallet) at once and whenever they move, and heartbeats; the stream ends once the caller may no longer watch, and EventSource reconnects. A player may hold 5 streams at once per web process; a sixth is refused.",
        access: "player",
        replies: { 200: { description: "An event stream", text: "text/event-stream" } },
        errors: { rate_limited: "the player holds 5 open streams already: close one first" },
      },
    },
    "/api/v1/wallet/statement": {
      get: {
        summary: "The caller's statement: every posting, newest first",
        description:
          "Filter by currency, kind and date range (UTC days, inclusive); `cursor` continues with older postings. With `format=csv` every matching posting as a CSV download.",
        access: "player",
        query: statementQuery,
        replies: {
          200: {
            description: "A page of postings, or the CSV",
            json: statementResponse,
            text: "text/csv",
          },
        },
        errors: { rate_limited: csvBusy },
      },
    },
    "/api/v1/admin/wallet": {
      get: {
        summary:
          "House, promotions, prize liability and purchases balances, and recent transactions",
        access: "admin",
        replies: { 200: { description: "OK", json: walletOverviewResponse } },
      },
    },
    "/api/v1/admin/wallet/statements/{userId}": {
      get: {
        summary: "Any player's statement, as they see it",
        access: "admin",
        path: z.object({ userId: uuid }),
        query: statementQuery,
        replies: {
          200: {
            description: "A page of postings, or the CSV",
            json: statementResponse,
            text: "text/csv",
          },
        },
        errors: { not_found: "not a player id", rate_limited: csvBusy },
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
    "/api/v1/coin-packages": {
      get: {
        summary: "The Gold Coin packages on sale",
        access: "public",
        replies: { 200: { description: "OK", json: coinPackagesResponse } },
      },
    },
    "/api/v1/purchases": {
      post: {
        summary: "Start buying a coin package",
        description:
          "Checks the player's cool-off, self-exclusion and purchase limits, then creates a payment with the provider: send the player to confirmUrl. The coins are credited once, when the provider's signed webhook confirms the payment (also after a decline or an expiry, should it come late, unless it would then pass a purchase limit: it is held for an admin); a failed payment credits nothing. The free SC is credited only where Sweeps Coins are open to the player (else bonusWithheld). Payments pending longer than PAYMENT_PENDING_TTL_MINUTES are expired and stop counting against the limits. The same Idempotency-Key (per player) returns the same purchase.",
        access: "player",
        headers: z.object({ "Idempotency-Key": idempotencyKey }),
        body: purchaseSchema,
        replies: { 201: { description: "Started", json: purchaseStartedResponse } },
        errors: {
          not_found: "no such package (or it is retired)",
          self_excluded: "a cool-off or self-exclusion is running",
          limit_reached: "the purchase would pass one of the player's purchase limits",
          idempotency_mismatch: "the key was used to buy another package",
          payment_provider_error:
            "the provider could not be reached (retry with the same key), or gave a payment page outside its own origin",
        },
      },
    },
    "/api/v1/purchases/{id}": {
      get: {
        summary: "One of the caller's purchases, with its status",
        access: "player",
        path: z.object({ id: uuid }),
        replies: { 200: { description: "OK", json: purchaseResponse } },
        errors: { not_found: "no such purchase of the caller's" },
      },
    },
    "/api/v1/payments/webhook": {
      post: {
        summary: "The payment provider's signed confirmation of a payment",
        description:
          'Signed with the shared secret (PAYMENT_WEBHOOK_SECRET): header Test-Provider-Signature `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." and the raw body bytes>`, accepted within 5 minutes; checked over the exact bytes received before the body is parsed. A success for the ordered amount and currency credits once, also after a failure or an expiry (unless it would then pass a purchase limit); one for another amount or currency, or a late one past a limit, is held as needs_review. Duplicates change nothing.',
        access: "public",
        body: testProviderWebhookSchema,
        replies: { 200: { description: "Received", json: webhookResponse } },
        errors: { invalid_signature: "no, a wrong or a stale signature" },
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
          not_eligible:
            "error.reason not_eligible:region: SC to a player with no declared region, or one closed to Sweeps Coins (grant GC instead)",
          idempotency_mismatch: "the key was used for another grant",
        },
      },
    },
    "/api/v1/admin/payments/{id}/resolution": {
      post: {
        summary: "Resolve a payment under review: credit it, or close it as refunded (audited)",
        description:
          "For a payment in needs_review, with a reason. credit: the package's GC, and its free SC where the player may have it now, once (journal key payment:<id>); the payment is then succeeded and counts against the purchase limits. Crediting past one of the player's purchase limits is allowed, as the admin's decision: the answer's limitPassed and the audit event name the limit. refunded: the admin refunded the money at the processor; nothing is credited and the payment no longer counts against the limits.",
        access: "admin",
        path: idPath,
        body: paymentResolutionSchema,
        replies: { 200: { description: "Resolved", json: paymentReviewResponse } },
        errors: {
          not_found: "no such payment, or it is not under review",
          already_reviewed: "resolved already (by another admin, or a second click)",
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
