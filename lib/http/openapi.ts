import { z } from "zod";
import { rejectionReasons } from "@/lib/codes/model";
import { ledgerIdentitySchema } from "@/lib/ledger/identity";

/** The public API's OpenAPI 3.1 description, served at GET /api/v1/openapi.json. */

const error = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", example: "sold_out" },
        message: { type: "string", example: "Sold out: every unit of this drop has been claimed" },
        field: { type: "string", description: "the offending input field, for invalid_input" },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const json = (schema: object, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

const jsonBody = (schema: object) => ({
  required: true,
  content: { "application/json": { schema } },
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uuidParam = (name: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
});
const player = [{ bearer: [] }, { session: [] }];

const dropPoolsSchema = {
  type: "array",
  minItems: 1,
  maxItems: 10,
  description: "units of one prize each, optionally reserved for a loyalty tier and above",
  items: {
    type: "object",
    required: ["prizeId", "units"],
    properties: {
      prizeId: { type: "string", format: "uuid" },
      units: { type: "integer", minimum: 1 },
      minTier: { enum: ["bronze", "silver", "gold"], default: "bronze" },
    },
  },
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Prizeledger API",
    version: "1.0.0",
    description:
      "Prize drops and redemptions. Errors are always {error: {code, message}} with a fitting status. " +
      "JSON bodies are at most 64 KiB (413 payload_too_large), sent as application/json (415 " +
      "unsupported_media_type for other types) and must be a JSON object (400).",
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: "A token from POST /api/v1/tokens" },
      session: { type: "apiKey", in: "cookie", name: "authjs.session-token" },
    },
    schemas: {
      OutcomeCounts: {
        type: "object",
        description:
          "Claim answers by category; refusal reasons outside the named ones count as other",
        properties: Object.fromEntries(
          ["claimed", "sold_out", "not_eligible", "rate_limited", "limit_reached", "other"].map(
            (k) => [k, { type: "integer" }],
          ),
        ),
      },
      DashboardSnapshot: {
        type: "object",
        description:
          "The live dashboard's figures at `at`. Counts come from rollups kept in the claim's own transaction, so they are exact.",
        properties: {
          at: { type: "string", format: "date-time" },
          claimsPerSecond: {
            type: "object",
            properties: {
              series: {
                type: "array",
                description: "the last 60 seconds, oldest first",
                items: {
                  type: "object",
                  properties: {
                    t: { type: "string", format: "date-time" },
                    claimed: { type: "integer" },
                    attempts: { type: "integer" },
                  },
                },
              },
              current: { type: "number", description: "average over the last 10 seconds" },
            },
          },
          liveDrops: {
            type: "array",
            description: "drops live now, each with units left now and its burn-down",
            items: {
              type: "object",
              properties: {
                id: { type: "string", format: "uuid" },
                title: { type: "string" },
                units: { type: "integer" },
                remaining: { type: "integer" },
                startsAt: { type: "string", format: "date-time" },
                endsAt: { type: "string", format: "date-time" },
                paused: { type: "boolean" },
                burnDown: { type: "array", items: { type: "object" } },
                bucketSeconds: { type: "integer" },
              },
            },
          },
          outcomeMix: {
            type: "object",
            properties: { last5Minutes: ref("OutcomeCounts"), today: ref("OutcomeCounts") },
          },
          latency: {
            type: "object",
            description: "claim latency in milliseconds (null when there were no claims)",
            properties: {
              p50: { type: ["number", "null"] },
              p95: { type: ["number", "null"] },
              p99: { type: ["number", "null"] },
              samples: { type: "integer" },
              windowSeconds: { type: "integer" },
            },
          },
          anchoring: {
            type: "object",
            properties: {
              lagSeconds: { type: "number" },
              pendingEntries: { type: "integer" },
              lastCheckpoint: { type: ["object", "null"] },
              missedDeadlines: {
                type: "object",
                properties: {
                  count: { type: "integer" },
                  entries: { type: "array", items: { type: "object" } },
                },
              },
            },
          },
          redemptionsByKind: { type: "array", items: { type: "object" } },
          byHourOfDay: { type: "array", items: { type: "integer" }, minItems: 24, maxItems: 24 },
          byRegion: { type: "array", items: { type: "object" } },
          topPrizes: { type: "array", items: { type: "object" } },
        },
      },
      DropReport: {
        type: "object",
        properties: {
          generatedAt: { type: "string", format: "date-time" },
          drop: { type: "object" },
          timeToSellOutSeconds: { type: ["number", "null"] },
          claimCurve: { type: "object" },
          uniquePlayers: { type: "integer" },
          outcomes: ref("OutcomeCounts"),
          refusalsByReason: { type: "array", items: { type: "object" } },
          flaggedAccounts: { type: "array", items: { type: "object" } },
          anchored: { type: "integer" },
          redemptions: { type: "integer" },
          anchoredShare: { type: "number", description: "anchored / redemptions; reaches 1" },
          deliveryStatus: { type: "object" },
        },
      },
      ExcludedRegion: {
        type: "object",
        properties: {
          code: { type: "string", example: "KP" },
          name: { type: "string", example: "Korea (Democratic People's Republic)" },
          note: { type: ["string", "null"] },
          createdAt: { type: "string", format: "date-time" },
        },
      },
      Error: error,
      ApiToken: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          createdAt: { type: "string", format: "date-time" },
          expiresAt: { type: "string", format: "date-time" },
          lastUsedAt: { type: ["string", "null"], format: "date-time" },
          revokedAt: { type: ["string", "null"], format: "date-time" },
          status: { type: "string", enum: ["active", "expired", "revoked"] },
        },
      },
      Drop: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          title: { type: "string" },
          prize: {
            type: "object",
            properties: {
              id: { type: "string", format: "uuid" },
              name: { type: "string" },
              kind: { enum: ["gift_card", "crypto", "physical"] },
              valueCents: { type: "integer" },
              description: { type: ["string", "null"] },
              tokenAmount: { type: ["string", "null"], description: "crypto: tokens a unit pays" },
              tokenSymbol: { type: ["string", "null"] },
            },
          },
          description: { type: ["string", "null"] },
          units: { type: "integer" },
          remaining: { type: "integer" },
          startsAt: { type: "string", format: "date-time" },
          endsAt: { type: "string", format: "date-time" },
          status: { enum: ["upcoming", "live", "paused", "ended", "sold_out"] },
          endedEarlyAt: {
            type: ["string", "null"],
            format: "date-time",
            description: "set when an admin ended the drop before its scheduled end",
          },
        },
      },
      Redemption: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          code: { type: "string", description: "shown only to its owner" },
          claimedAt: { type: "string", format: "date-time" },
          drop: { type: "object" },
          wonInDraw: {
            type: "boolean",
            description: "granted at a lottery's draw rather than claimed",
          },
          actionDeadline: {
            type: ["string", "null"],
            format: "date-time",
            description: "a physical prize: confirm a shipping address by then",
          },
          prize: { type: "object" },
          anchoring: { type: "object", properties: { status: { enum: ["pending", "anchored"] } } },
          status: { enum: ["fulfilled", "awaiting_action", "expired", "reversed"] },
          reversal: {
            type: ["object", "null"],
            description:
              "set when an admin reversed the redemption; its ledger entry has a receipt of its own (receipt?kind=reversal)",
            properties: {
              reversedAt: { type: "string", format: "date-time" },
              reason: { type: "string" },
            },
          },
        },
      },
      AdminRedemption: {
        type: "object",
        description: "A redemption as admins see it (never its code)",
        properties: {
          id: { type: "string", format: "uuid" },
          claimedAt: { type: "string", format: "date-time" },
          status: { enum: ["fulfilled", "awaiting_action", "expired", "reversed"] },
          player: {
            type: "object",
            properties: { id: { type: "string" }, email: { type: "string" } },
          },
          drop: {
            type: "object",
            properties: { id: { type: "string" }, title: { type: "string" } },
          },
          prize: { type: "object" },
          anchoring: {
            type: "object",
            properties: {
              status: { enum: ["pending", "anchored"] },
              leafIndex: { type: ["integer", "null"] },
            },
          },
        },
      },
      AdminRedemptionDetail: {
        allOf: [
          ref("AdminRedemption"),
          {
            type: "object",
            properties: {
              unitId: { type: "integer" },
              actionDeadline: { type: ["string", "null"], format: "date-time" },
              shippingAddress: { type: ["object", "null"] },
              expiredAt: { type: ["string", "null"], format: "date-time" },
              reversal: { type: ["object", "null"] },
              ledger: { type: "array", items: { type: "object" } },
              audit: { type: "array", items: { type: "object" } },
            },
          },
        ],
      },
      Receipt: {
        type: "object",
        description:
          "See docs/receipt.md. Pending receipts carry the operator's signed promise (promise); anchored ones the proof and anchor.",
        properties: {
          version: { const: 1 },
          status: { enum: ["pending", "anchored"] },
          leaf: { type: "object" },
          inclusionProof: { type: "array", items: { type: "string" } },
          checkpoint: { type: "object" },
          anchor: { type: "object" },
        },
      },
      ImportReport: {
        type: "object",
        required: ["accepted", "rejected", "total"],
        properties: {
          accepted: { type: "integer" },
          total: { type: "integer", description: "non-blank lines after the header" },
          rejected: {
            type: "array",
            items: {
              type: "object",
              required: ["line", "reason"],
              properties: {
                line: { type: "integer" },
                code: { type: "string", description: "masked, e.g. ABCD…WXYZ" },
                reason: { enum: [...rejectionReasons] },
                firstLine: {
                  type: "integer",
                  description: "duplicate_in_file: the earlier line with the same code",
                },
              },
            },
          },
        },
      },
      LotteryEntry: {
        type: "object",
        properties: {
          dropId: { type: "string", format: "uuid" },
          entrant: { type: "string", description: "the public pseudonym, 64 hex digits" },
          weight: { type: "integer" },
          enteredAt: { type: "string", format: "date-time" },
        },
      },
      LotteryTranscript: {
        type: "object",
        description: "See docs/lottery.md.",
        properties: {
          algorithm: { const: "prizeledger-lottery/v1" },
          dropId: { type: "string", format: "uuid" },
          title: { type: "string" },
          units: { type: "integer" },
          startsAt: { type: "string", format: "date-time" },
          endsAt: { type: "string", format: "date-time" },
          seedHash: { type: "string", description: "hex SHA-256 of the seed" },
          seed: { type: ["string", "null"], description: "hex, revealed after the draw" },
          drawnAt: { type: ["string", "null"], format: "date-time" },
          entries: {
            type: "array",
            items: {
              type: "object",
              properties: { entrant: { type: "string" }, weight: { type: "integer" } },
            },
          },
          winners: { type: ["array", "null"], items: { type: "string" } },
          skipped: {
            type: ["array", "null"],
            items: {
              type: "object",
              properties: { entrant: { type: "string" }, reason: { type: "string" } },
            },
          },
        },
      },
      Account: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          email: { type: "string" },
          displayName: { type: "string" },
          role: { enum: ["player", "admin", "auditor"] },
          region: { type: ["string", "null"] },
          emailVerified: { type: "boolean" },
          flagged: { type: "boolean" },
          suspended: { type: "boolean" },
          createdAt: { type: "string", format: "date-time" },
        },
      },
      AccountDetail: {
        allOf: [
          { $ref: "#/components/schemas/Account" },
          {
            type: "object",
            properties: {
              twoFactor: { type: "boolean" },
              loyaltyTier: { enum: ["bronze", "silver", "gold"] },
              flaggedAt: { type: ["string", "null"], format: "date-time" },
              flaggedReason: { type: ["string", "null"] },
              suspendedAt: { type: ["string", "null"], format: "date-time" },
              suspendedReason: { type: ["string", "null"] },
              sessionVersion: { type: "integer" },
              linkedAccounts: {
                type: "array",
                description: "accounts of the same multi-account group",
                items: { $ref: "#/components/schemas/Account" },
              },
              recentAttempts: {
                type: "array",
                items: { $ref: "#/components/schemas/ClaimAttempt" },
              },
            },
          },
        ],
      },
      AuditEvent: {
        type: "object",
        properties: {
          id: { type: "integer" },
          at: { type: "string", format: "date-time" },
          actor: {
            type: ["object", "null"],
            properties: {
              id: { type: "string" },
              email: { type: "string" },
              displayName: { type: "string" },
            },
          },
          action: { type: "string", example: "account_suspend" },
          subject: { type: ["string", "null"], example: "user:3f0c…" },
          outcome: { enum: ["ok", "refused", "failed"] },
          reason: { type: ["string", "null"], example: "not_eligible:region" },
          ip: { type: ["string", "null"] },
          userAgent: { type: ["string", "null"] },
          tokenId: { type: ["string", "null"] },
          data: {
            type: ["object", "null"],
            description: "admin changes carry {before, after}",
          },
        },
      },
      ClaimAttempt: {
        type: "object",
        properties: {
          id: { type: "integer" },
          at: { type: "string", format: "date-time" },
          kind: { enum: ["claim", "lottery entry"] },
          drop: {
            type: ["object", "null"],
            properties: { id: { type: "string", format: "uuid" }, title: { type: "string" } },
          },
          outcome: { enum: ["ok", "refused", "failed"] },
          reason: { type: ["string", "null"], example: "not_eligible:region" },
          message: { type: ["string", "null"], description: "the refusal in words" },
          redemptionId: { type: ["string", "null"], format: "uuid" },
        },
      },
      Checkpoint: {
        type: "object",
        properties: {
          treeSize: { type: "integer" },
          rootHash: { type: "string" },
          chainId: { type: "integer" },
          contract: { type: "string" },
          txHash: { type: "string" },
          blockNumber: { type: "integer" },
          blockTime: { type: "integer" },
        },
      },
    },
  },
  paths: {
    "/api/v1/accounts": {
      post: {
        summary: "Sign up",
        description:
          "Mails a verification link. An account that has not declared its region and being 18 or older, or has not confirmed its email, cannot claim.",
        requestBody: jsonBody({
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string", format: "email" },
            password: { type: "string", minLength: 10, maxLength: 200 },
            displayName: { type: "string", maxLength: 60 },
            region: {
              type: "string",
              pattern: "^[A-Za-z]{2}$",
              description: "country of residence, ISO 3166-1 alpha-2 (e.g. US)",
            },
            adult: { const: true, description: "the player declares being 18 or older" },
          },
        }),
        responses: {
          "201": json(
            {
              type: "object",
              properties: {
                id: { type: "string", format: "uuid" },
                email: { type: "string" },
                role: { enum: ["player"] },
              },
            },
            "Created",
          ),
          "400": errorResponse("invalid_input"),
          "409": errorResponse("email_taken"),
          "429": errorResponse("rate_limited: too many sign-ups from this address (Retry-After)"),
        },
      },
    },
    "/api/v1/accounts/verify-email": {
      post: {
        summary: "Confirm an email address with the token from the verification mail",
        requestBody: jsonBody({
          type: "object",
          required: ["token"],
          properties: { token: { type: "string", maxLength: 200 } },
        }),
        responses: {
          "204": { description: "Confirmed" },
          "400": errorResponse("invalid_input, or invalid_link (reason: unknown, used or expired)"),
        },
      },
    },
    "/api/v1/tokens": {
      post: {
        summary: "Exchange email and password (and the two-factor code, if on) for an API token",
        description:
          "The token is shown once and only its hash is kept. `otp` is the authenticator's current code or an unused recovery code. Five failures in a row lock the account for 30 s, doubling up to an hour. A suspended account gets no token (403 account_suspended, said only after the right password and code).",
        requestBody: jsonBody({
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string" },
            password: { type: "string" },
            otp: { type: "string", maxLength: 40 },
            name: { type: "string", maxLength: 60, default: "api" },
            expiresInDays: { type: "integer", minimum: 1, maximum: 365, default: 30 },
          },
        }),
        responses: {
          "201": json(
            {
              type: "object",
              properties: {
                token: { type: "string" },
                tokenType: { type: "string", const: "Bearer" },
                id: { type: "string", format: "uuid" },
                name: { type: "string" },
                expiresAt: { type: "string", format: "date-time" },
                role: { type: "string", enum: ["player", "admin", "auditor"] },
              },
            },
            "Created",
          ),
          "400": errorResponse("invalid_input"),
          "401": errorResponse("invalid_credentials, otp_required or otp_invalid"),
          "403": errorResponse("account_suspended"),
          "429": errorResponse("locked or rate_limited (Retry-After says when to try again)"),
        },
      },
      get: {
        summary: "The caller's API tokens (never the tokens themselves)",
        security: player,
        responses: {
          "200": json({
            type: "object",
            properties: { tokens: { type: "array", items: ref("ApiToken") } },
          }),
          "401": errorResponse("unauthenticated"),
          "403": errorResponse("two_factor_required (admins and auditors)"),
        },
      },
    },
    "/api/v1/tokens/{id}": {
      delete: {
        summary: "Revoke one of the caller's API tokens",
        security: player,
        parameters: [uuidParam("id")],
        responses: {
          "204": { description: "Revoked (or already revoked)" },
          "401": errorResponse("unauthenticated"),
          "403": errorResponse("two_factor_required (admins and auditors)"),
          "404": errorResponse("not_found (no such token among the caller's)"),
        },
      },
    },
    "/api/v1/drops": {
      get: {
        summary: "Live and upcoming drops with the server's time",
        responses: {
          "200": json({
            type: "object",
            properties: {
              serverTime: { type: "string", format: "date-time" },
              drops: { type: "array", items: ref("Drop") },
            },
          }),
        },
      },
    },
    "/api/v1/drops/{dropId}/claims": {
      post: {
        summary: "Claim one unit of a drop",
        description:
          "The same Idempotency-Key (per player) returns the first answer again for at least 24 hours; the same key with another request answers 422.",
        security: player,
        parameters: [
          uuidParam("dropId"),
          {
            name: "Idempotency-Key",
            in: "header",
            required: false,
            schema: { type: "string", maxLength: 200 },
          },
        ],
        responses: {
          "201": json({
            type: "object",
            properties: {
              redemption: ref("Redemption"),
              remaining: { type: "integer" },
              receipt: ref("Receipt"),
            },
          }),
          "401": errorResponse("unauthenticated"),
          "403": errorResponse(
            "forbidden (not a player) or not_eligible; error.reason names the rule: not_eligible:suspended, verified_email, profile_incomplete (region or 18+ not declared), region (excluded, or outside the drop's regions), location (GeoIP country excluded or not the declared region), linked_account (one claim per linked-account group), account_age, tier, flagged",
          ),
          "404": errorResponse("not_found"),
          "409": errorResponse("not_started, ended, paused, sold_out or limit_reached"),
          "422": errorResponse("idempotency_mismatch"),
        },
      },
    },
    "/api/v1/drops/{dropId}/entries": {
      post: {
        summary: "Enter a lottery drop while its window is open (see docs/lottery.md)",
        description:
          "201 with a new entry, 200 with the same entry when the player had already entered. The weight is the player's tier at entry: bronze 1, silver 2, gold 4.",
        security: player,
        parameters: [uuidParam("dropId")],
        responses: {
          "200": json(
            { type: "object", properties: { entry: ref("LotteryEntry") } },
            "Already entered",
          ),
          "201": json({ type: "object", properties: { entry: ref("LotteryEntry") } }, "Entered"),
          "400": errorResponse("bad_request (a first-come drop: claim it instead)"),
          "401": errorResponse("unauthenticated"),
          "403": errorResponse("forbidden (not a player) or not_eligible"),
          "404": errorResponse("not_found"),
          "409": errorResponse("not_started, ended or paused"),
        },
      },
    },
    "/api/v1/drops/{dropId}/lottery": {
      get: {
        summary: "The public transcript of a lottery drop, to replay its draw",
        description:
          "The seed is null until the draw; then the winners are listed in ranking order. Replay with npm run lottery:replay (docs/lottery.md).",
        parameters: [uuidParam("dropId")],
        responses: {
          "200": json(ref("LotteryTranscript")),
          "404": errorResponse("not_found (no such drop, or not a lottery)"),
        },
      },
    },
    "/api/v1/claim-attempts": {
      get: {
        summary: "The caller's own claim and lottery-entry attempts, newest first, with reasons",
        security: player,
        parameters: [
          {
            name: "cursor",
            in: "query",
            schema: { type: "integer" },
            description: "nextCursor of the previous page",
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
        ],
        responses: {
          "200": json({
            type: "object",
            properties: {
              attempts: { type: "array", items: ref("ClaimAttempt") },
              nextCursor: { type: ["integer", "null"] },
            },
          }),
          "401": errorResponse("unauthenticated"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/redemptions": {
      get: {
        summary: "The caller's redemptions",
        security: player,
        responses: {
          "200": json({
            type: "object",
            properties: { redemptions: { type: "array", items: ref("Redemption") } },
          }),
          "401": errorResponse("unauthenticated"),
        },
      },
    },
    "/api/v1/redemptions/{id}": {
      get: {
        summary: "One of the caller's redemptions",
        security: player,
        parameters: [uuidParam("id")],
        responses: { "200": json(ref("Redemption")), "404": errorResponse("not_found") },
      },
    },
    "/api/v1/redemptions/{id}/receipt": {
      get: {
        summary: "The current receipt (pending or anchored)",
        description:
          "kind=reversal gives the receipt of the redemption's reversal entry (same format; 404 if it was not reversed).",
        security: player,
        parameters: [
          uuidParam("id"),
          { name: "kind", in: "query", schema: { enum: ["redemption", "reversal"] } },
        ],
        responses: { "200": json(ref("Receipt")), "404": errorResponse("not_found") },
      },
    },
    "/api/v1/admin/prizes": {
      get: {
        summary: "All prizes with stock",
        security: player,
        responses: { "200": json({ type: "object" }), "403": errorResponse("forbidden") },
      },
      post: {
        summary: "Create a prize",
        security: player,
        requestBody: jsonBody({
          type: "object",
          required: ["name", "kind", "value", "quantity"],
          properties: {
            name: { type: "string" },
            kind: { enum: ["gift_card", "crypto", "physical"] },
            value: { type: "number", description: "in dollars, two decimals" },
            quantity: { type: "integer" },
            description: {
              type: ["string", "null"],
              maxLength: 2000,
              description: "shown to players",
            },
            tokenAmount: {
              type: ["string", "null"],
              description:
                "crypto only, with tokenSymbol: tokens one unit pays out (decimal text, up to 18 decimals)",
              example: "25",
            },
            tokenSymbol: {
              type: ["string", "null"],
              pattern: "^[A-Za-z0-9]{2,12}$",
              example: "USDC",
            },
          },
        }),
        responses: { "201": json({ type: "object" }), "400": errorResponse("invalid_input") },
      },
    },
    "/api/v1/admin/prizes/{id}": {
      get: {
        summary: "One prize with its live inventory (units in drops, claimed, gift codes left)",
        security: player,
        parameters: [uuidParam("id")],
        responses: {
          "200": json({ type: "object" }),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
        },
      },
      patch: {
        summary: "Edit or retire a prize (audited with before/after)",
        description:
          "Every field optional; the kind never changes. quantity may go down but not below the units drops already hold (invalid_input, details.allocated). retired: true keeps the prize out of every new drop (drops that have it keep it); false brings it back.",
        security: player,
        parameters: [uuidParam("id")],
        requestBody: jsonBody({
          type: "object",
          additionalProperties: false,
          properties: {
            name: { type: "string", maxLength: 120 },
            description: { type: ["string", "null"], maxLength: 2000 },
            value: { type: "number", description: "in dollars, two decimals" },
            quantity: { type: "integer", minimum: 0 },
            tokenAmount: { type: ["string", "null"], description: "crypto prizes only" },
            tokenSymbol: { type: ["string", "null"], description: "crypto prizes only" },
            retired: { type: "boolean" },
          },
        }),
        responses: {
          "200": json({ type: "object" }),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
        },
      },
    },
    "/api/v1/admin/prizes/{id}/codes": {
      post: {
        summary: "Import gift codes (CSV, one a line, at most 100,000 codes and 2 MB)",
        security: player,
        parameters: [uuidParam("id")],
        requestBody: {
          required: true,
          content: {
            "text/csv": { schema: { type: "string" } },
            "application/json": {
              schema: {
                type: "object",
                required: ["csv"],
                properties: { csv: { type: "string" } },
              },
            },
          },
        },
        responses: {
          "201": json(ref("ImportReport"), "Import report"),
          "400": errorResponse("invalid_input (field csv or prizeId) or bad_request"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/drops": {
      get: {
        summary: "All drops",
        security: player,
        responses: { "200": json({ type: "object" }), "403": errorResponse("forbidden") },
      },
      post: {
        summary: "Create a drop from a prize's unallocated stock",
        security: player,
        requestBody: jsonBody({
          type: "object",
          required: ["title", "startsAt", "endsAt"],
          description:
            "Either prizeId and units (one pool), or pools. A retired prize is refused (invalid_input, field prizeId).",
          properties: {
            title: { type: "string" },
            description: { type: ["string", "null"], maxLength: 2000 },
            prizeId: { type: "string", format: "uuid" },
            units: { type: "integer" },
            pools: dropPoolsSchema,
            perPlayerLimit: { type: "integer", minimum: 1, maximum: 100, default: 1 },
            allocation: { enum: ["first_come", "lottery"], default: "first_come" },
            startsAt: { type: "string", format: "date-time" },
            endsAt: { type: "string", format: "date-time" },
            eligibility: {
              type: "object",
              additionalProperties: false,
              properties: {
                verifiedEmail: { type: "boolean" },
                minAccountAgeDays: { type: "integer", minimum: 0, maximum: 3650 },
                minTier: { enum: ["bronze", "silver", "gold"] },
                regions: { type: "array", items: { type: "string", pattern: "^[A-Z]{2}$" } },
                notFlagged: { type: "boolean" },
                onePerGroup: {
                  type: "boolean",
                  description:
                    "one claim per group of linked accounts (shared device, sign-in address, shipping address); a second linked account is refused not_eligible:linked_account and both are flagged",
                },
              },
            },
          },
        }),
        responses: { "201": json({ type: "object" }), "400": errorResponse("invalid_input") },
      },
    },
    "/api/v1/admin/regions": {
      get: {
        summary: "Regions where no one may claim (admin)",
        security: player,
        responses: {
          "200": json({
            type: "object",
            properties: { regions: { type: "array", items: ref("ExcludedRegion") } },
          }),
          "403": errorResponse("forbidden"),
        },
      },
      put: {
        summary: "Replace the excluded regions (admin; audited with before/after)",
        description:
          "Players whose declared region, or whose request's country by GeoIP, is excluded are refused every claim and lottery entry with not_eligible:region or not_eligible:location.",
        security: player,
        requestBody: jsonBody({
          type: "object",
          required: ["regions"],
          additionalProperties: false,
          properties: {
            regions: {
              type: "array",
              maxItems: 300,
              items: {
                type: "object",
                required: ["code"],
                properties: {
                  code: {
                    type: "string",
                    description: "ISO 3166-1 alpha-2, any case",
                    example: "KP",
                  },
                  note: { type: "string", maxLength: 500 },
                },
              },
            },
          },
        }),
        responses: {
          "200": json({
            type: "object",
            properties: { regions: { type: "array", items: ref("ExcludedRegion") } },
          }),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/drops/{id}": {
      get: {
        summary: "One drop",
        security: player,
        parameters: [uuidParam("id")],
        responses: { "200": json(ref("Drop")), "404": errorResponse("not_found") },
      },
      patch: {
        summary: "Edit a drop before its start; pause, resume, move the end later or end it early",
        description:
          "Before the start every field may change (pools are rebuilt from the prizes' stock). Once started only endsAt (later than now set), paused and end are accepted; anything else answers 409 drop_started with details.fields. An ended drop answers 409 ended. end: true ends a live drop now (endsAt = now, endedEarlyAt set; claims then get ended; a lottery is drawn from the entries made so far). Audited with before/after.",
        security: player,
        parameters: [uuidParam("id")],
        requestBody: jsonBody({
          type: "object",
          additionalProperties: false,
          properties: {
            title: { type: "string", maxLength: 120 },
            description: { type: ["string", "null"], maxLength: 2000 },
            pools: dropPoolsSchema,
            startsAt: { type: "string", format: "date-time" },
            endsAt: { type: "string", format: "date-time" },
            perPlayerLimit: { type: "integer", minimum: 1, maximum: 100 },
            eligibility: { type: "object", description: "as in POST /api/v1/admin/drops" },
            allocation: { enum: ["first_come", "lottery"] },
            paused: { type: "boolean" },
            end: { const: true },
          },
        }),
        responses: {
          "200": json(ref("Drop")),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
          "409": errorResponse("drop_started, ended, or not_started (end on an upcoming drop)"),
        },
      },
    },
    "/api/v1/admin/accounts": {
      get: {
        summary: "Search accounts, in email order (admin)",
        security: player,
        parameters: [
          {
            name: "q",
            in: "query",
            schema: { type: "string" },
            description: "part of the email or display name",
          },
          { name: "role", in: "query", schema: { enum: ["player", "admin", "auditor"] } },
          { name: "flagged", in: "query", schema: { enum: ["yes", "no"] } },
          { name: "suspended", in: "query", schema: { enum: ["yes", "no"] } },
          {
            name: "after",
            in: "query",
            schema: { type: "string" },
            description: "nextAfter of the previous page",
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
        ],
        responses: {
          "200": json({
            type: "object",
            properties: {
              accounts: { type: "array", items: ref("Account") },
              nextAfter: { type: ["string", "null"] },
            },
          }),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/accounts/{id}": {
      get: {
        summary: "One account with its linked accounts and recent claim attempts (admin)",
        security: player,
        parameters: [uuidParam("id")],
        responses: {
          "200": json(ref("AccountDetail")),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
        },
      },
      patch: {
        summary: "Change an account's role, flag or suspension (admin; audited with before/after)",
        description:
          "Flagging needs flaggedReason and suspending needs suspendedReason. Suspending ends the account's sessions and revokes its API tokens (unsuspending brings none back); while suspended it cannot sign in, get a token or use any session. An admin cannot change their own role or suspend themselves (own_account), and the last admin not suspended stays one (last_admin).",
        security: player,
        parameters: [uuidParam("id")],
        requestBody: jsonBody({
          type: "object",
          minProperties: 1,
          additionalProperties: false,
          properties: {
            role: { enum: ["player", "admin", "auditor"] },
            flagged: { type: "boolean" },
            flaggedReason: { type: "string", maxLength: 500 },
            suspended: { type: "boolean" },
            suspendedReason: { type: "string", maxLength: 500 },
          },
        }),
        responses: {
          "200": json(ref("AccountDetail")),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
          "409": errorResponse("own_account or last_admin"),
        },
      },
    },
    "/api/v1/admin/redemptions": {
      get: {
        summary: "Search redemptions, newest first (admin)",
        security: player,
        parameters: [
          {
            name: "player",
            in: "query",
            schema: { type: "string" },
            description: "account id or email",
          },
          { name: "dropId", in: "query", schema: { type: "string", format: "uuid" } },
          { name: "prizeId", in: "query", schema: { type: "string", format: "uuid" } },
          {
            name: "status",
            in: "query",
            schema: { enum: ["fulfilled", "awaiting_action", "expired", "reversed"] },
          },
          { name: "from", in: "query", schema: { type: "string", format: "date-time" } },
          { name: "to", in: "query", schema: { type: "string", format: "date-time" } },
          {
            name: "after",
            in: "query",
            schema: { type: "string", format: "uuid" },
            description: "nextAfter of the previous page",
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } },
        ],
        responses: {
          "200": json({
            type: "object",
            properties: {
              redemptions: { type: "array", items: ref("AdminRedemption") },
              nextAfter: { type: ["string", "null"] },
            },
          }),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/redemptions/{id}": {
      get: {
        summary: "One redemption with its ledger entries and audit trail (admin)",
        security: player,
        parameters: [uuidParam("id")],
        responses: {
          "200": json(ref("AdminRedemptionDetail")),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
        },
      },
    },
    "/api/v1/admin/redemptions/{id}/reversal": {
      post: {
        summary: "Reverse a redemption (admin; audited with before/after)",
        description:
          "The unit returns to the drop and a reversal entry goes to the ledger. Refused if the redemption was reversed already (already_reversed) or expired (already_expired), or, for a gift card in a live drop, if no unused code is left for the returned unit (gift_codes_exhausted: import codes first).",
        security: player,
        parameters: [uuidParam("id")],
        requestBody: jsonBody({
          type: "object",
          required: ["reason"],
          properties: { reason: { type: "string", minLength: 1, maxLength: 500 } },
        }),
        responses: {
          "201": json({
            type: "object",
            properties: {
              redemptionId: { type: "string", format: "uuid" },
              reversedAt: { type: "string", format: "date-time" },
              reason: { type: "string" },
              unitId: { type: "integer" },
            },
          }),
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
          "409": errorResponse("already_reversed, already_expired or gift_codes_exhausted"),
        },
      },
    },
    "/api/v1/admin/audit-events": {
      get: {
        summary:
          "Search the audit trail, newest first; format=csv downloads every match (admin, auditor)",
        security: player,
        parameters: [
          {
            name: "actor",
            in: "query",
            schema: { type: "string" },
            description: "account id or email",
          },
          { name: "action", in: "query", schema: { type: "string" } },
          { name: "outcome", in: "query", schema: { enum: ["ok", "refused", "failed"] } },
          {
            name: "reason",
            in: "query",
            schema: { type: "string" },
            description: "a reason code or its prefix",
          },
          {
            name: "subject",
            in: "query",
            schema: { type: "string" },
            description: "e.g. user:<id> or drop:<id>",
          },
          {
            name: "ip",
            in: "query",
            schema: { type: "string" },
            description: "an address or a CIDR network",
          },
          { name: "from", in: "query", schema: { type: "string", format: "date-time" } },
          {
            name: "to",
            in: "query",
            schema: { type: "string", format: "date-time" },
            description: "exclusive",
          },
          {
            name: "cursor",
            in: "query",
            schema: { type: "integer" },
            description: "nextCursor of the previous page",
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
          { name: "format", in: "query", schema: { enum: ["json", "csv"] } },
        ],
        responses: {
          "200": {
            description:
              "A page of events (JSON) or all of them (RFC 4180 CSV, formula cells prefixed with ')",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    events: { type: "array", items: ref("AuditEvent") },
                    nextCursor: { type: ["integer", "null"] },
                  },
                },
              },
              "text/csv": { schema: { type: "string" } },
            },
          },
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/analytics": {
      get: {
        summary: "The live dashboard's figures now (admin, auditor)",
        security: player,
        responses: { "200": json(ref("DashboardSnapshot")), "403": errorResponse("forbidden") },
      },
    },
    "/api/v1/admin/analytics/stream": {
      get: {
        summary: "The live dashboard as Server-Sent Events (admin, auditor)",
        description:
          "A `snapshot` event (data: a DashboardSnapshot) at once and within a second of every claim, expiry, reversal or anchored checkpoint on any web instance (PostgreSQL LISTEN/NOTIFY; bursts are coalesced to at most one snapshot per 250 ms), and at least every 5 s. Comment heartbeats every 15 s keep proxies from closing the stream; `retry:` tells EventSource how soon to reconnect. Sent with Cache-Control: no-cache, no-transform and X-Accel-Buffering: no (nginx must not buffer it).",
        security: player,
        responses: {
          "200": {
            description: "An endless event stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          "403": errorResponse("forbidden"),
        },
      },
    },
    "/api/v1/admin/drops/{id}/report": {
      get: {
        summary: "A drop's report; format=csv downloads it as CSV (admin, auditor)",
        security: player,
        parameters: [
          uuidParam("id"),
          { name: "format", in: "query", schema: { enum: ["json", "csv"] } },
        ],
        responses: {
          "200": {
            description: "The report (JSON) or its sections as RFC 4180 CSV",
            content: {
              "application/json": { schema: ref("DropReport") },
              "text/csv": { schema: { type: "string" } },
            },
          },
          "400": errorResponse("invalid_input"),
          "403": errorResponse("forbidden"),
          "404": errorResponse("not_found"),
        },
      },
    },
    "/api/v1/ledger/checkpoints": {
      get: {
        summary: "Anchored checkpoints, newest first",
        responses: {
          "200": json({
            type: "object",
            properties: { checkpoints: { type: "array", items: ref("Checkpoint") } },
          }),
        },
      },
    },
    "/api/v1/ledger/identity": {
      get: {
        summary: "The operator's ledger identity (also at /.well-known/prizeledger.json)",
        description:
          "The chain, contract, deployment block, receipt signers and public JSON-RPC node that this operator's receipts must name. Verifiers pin it instead of trusting the chain and contract a receipt names. Readable from any origin.",
        responses: {
          "200": json(z.toJSONSchema(ledgerIdentitySchema, { io: "input" })),
          "404": errorResponse("not_found: no ledger is configured"),
        },
      },
    },
    "/api/v1/ledger/leaves": {
      get: {
        summary: "Leaves [start, end) of the public log, at most 1,000 a page",
        parameters: [
          { name: "start", in: "query", schema: { type: "integer", minimum: 0 } },
          { name: "end", in: "query", schema: { type: "integer", minimum: 1 } },
        ],
        responses: { "200": json({ type: "object" }), "400": errorResponse("invalid_input") },
      },
    },
    "/api/health": {
      get: {
        summary: "Liveness and readiness of the database and the ledger node",
        description:
          "`{status, database: {ok, error?}, ledger: {ok, error?}}`; an error is said in fixed words (the details go to the server's log). 503 while the database is down; a ledger node down only degrades.",
        responses: { "200": json({ type: "object" }), "503": json({ type: "object" }, "Down") },
      },
    },
  },
} as const;
