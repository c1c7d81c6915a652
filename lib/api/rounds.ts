import { z } from "zod";
import { clientSeedSchema } from "@/lib/fairness/model";
import { gameIds } from "@/lib/games/model";
import { redemptionStatuses } from "@/lib/redemptions/model";
import { ROUNDS_PAGE_MAX } from "@/lib/rounds/model";
import { currencies } from "@/lib/wallet/model";
import { idempotencyKey } from "./claims";
import { receiptResponse } from "./redemptions";
import { dateTime, idPath, type Resource, uuid } from "./wire";

const coins = z.string().meta({ description: "coins, two decimals", examples: ["1.00"] });
const seedHash = z.string().meta({ description: "SHA-256 of the server seed's hex text, in hex" });

export const gamesResponse = z.object({
  games: z.array(
    z.object({
      id: z.enum(gameIds),
      name: z.string(),
      params: z.record(z.string(), z.string()).meta({ description: "each param and its range" }),
      rules: z.string(),
      paytable: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
      rtp: z.number().meta({ description: "return to player, 0.95 for 95%" }),
      rtpNote: z.string(),
    }),
  ),
});

export const fairnessResponse = z.object({
  serverSeedHash: seedHash.meta({ description: "the commitment of the seed in play" }),
  clientSeed: z.string(),
  nonce: z.number().int().meta({ description: "the nonce of the next round" }),
  nextServerSeedHash: seedHash.meta({
    description: "the committed seed that rotation will put in play",
  }),
});

export const clientSeedBody = z.object({ clientSeed: clientSeedSchema });

export const rotationResponse = z.object({
  revealed: z.object({ serverSeed: z.string(), serverSeedHash: seedHash }),
  current: z.object({ serverSeedHash: seedHash }),
});

export const roundBody = z.object({
  game: z.enum(gameIds),
  currency: z.enum(currencies),
  stake: coins,
  params: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: 'dice: {"target": 2…98}; scratch: {}' }),
});

const roundFields = {
  id: uuid,
  game: z.enum(gameIds),
  currency: z.enum(currencies),
  stake: coins,
  payout: coins,
  outcome: z.record(z.string(), z.unknown()).meta({
    description:
      'dice: {"roll", "target", "win", "multiplier"}; scratch: {"tier", "multiplier", "prizeTier"}',
  }),
  serverSeedHash: seedHash,
  clientSeed: z.string(),
  nonce: z.number().int(),
  balanceAfter: coins.meta({ description: "the player's balance in the currency after the round" }),
  playedAt: dateTime,
  prizeId: uuid.nullable().meta({ description: "the prize the scratch card's prize tier won" }),
  redemption: z
    .object({
      id: uuid,
      status: z.enum(redemptionStatuses).meta({
        description:
          "held (until the player declares an identity and verifies an email), pending_approval (above the approval threshold), fulfilled, awaiting_action (a physical prize's address), rejected",
      }),
      code: z.string().nullable().meta({
        description:
          "the prize's code, shown only to its owner; null while held or pending approval, and once rejected",
      }),
    })
    .nullable()
    .meta({ description: "the prize's redemption (GET /api/v1/redemptions/{id}/receipt)" }),
};

export const roundSchema = z.object(roundFields).meta({ id: "Round" });
export const roundResponse = z.object({
  round: roundSchema,
  receipt: receiptResponse
    .optional()
    .meta({ description: "a prize won: its redemption's receipt (docs/receipt.md)" }),
});

export const roundsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(ROUNDS_PAGE_MAX).default(20),
  cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page" }),
});

export const roundsResponse = z.object({
  rounds: z.array(roundSchema),
  nextCursor: z.string().nullable(),
});

const publicLeafSchema = z.object({
  index: z.number().int().nullable().meta({ description: "null until sequenced" }),
  data: z.string().meta({ description: "the leaf's canonical bytes, 0x hex" }),
});

export const roundDetailResponse = z.object({
  round: z.object({
    ...roundFields,
    serverSeed: z.string().nullable().meta({
      description: "revealed once the player rotated the seed: then the round can be replayed",
    }),
    record: z.record(z.string(), z.unknown()).meta({
      description: "the canonical record the round's ledger leaf commits to (docs/games.md)",
    }),
    seedId: uuid.meta({ description: "GET /api/v1/fairness/seeds/{seedId} shows it to anyone" }),
    leaf: publicLeafSchema,
    seedLeaf: publicLeafSchema.meta({ description: "the seed's commitment leaf" }),
  }),
});

export const publicSeedResponse = z.object({
  id: uuid.meta({ description: "the commitment leaf's entry id" }),
  serverSeedHash: seedHash,
  serverSeed: z.string().nullable().meta({ description: "null until revealed" }),
  status: z.enum(["next", "active", "revealed"]),
  revealedAt: dateTime.nullable(),
  rounds: z.number().int().nullable().meta({ description: "rounds played with it, once revealed" }),
  leaf: publicLeafSchema,
  anchored: z
    .object({
      treeSize: z.number().int(),
      rootHash: z.string(),
      inclusionProof: z.array(z.string()),
      chainId: z.number().int().nullable(),
      contract: z.string().nullable(),
      txHash: z.string().nullable(),
      blockNumber: z.number().int().nullable(),
    })
    .nullable()
    .meta({ description: "the leaf's inclusion in the first anchored checkpoint covering it" }),
});

const refusals = {
  insufficient_funds: "the balance is less than the stake",
  limit_reached: "the stake would go over a wager limit the player set",
  self_excluded: "a cool-off or self-exclusion is in force",
  not_eligible: "error.reason not_eligible:region: Sweeps Coins play is closed in the region",
  idempotency_mismatch: "the key was used for another request",
} as const;

export const gamesResource: Resource = {
  name: "Games",
  description: "Provably fair game rounds, the games' rules, and the player's fairness seeds.",
  paths: {
    "/api/v1/games": {
      get: {
        summary: "The games, their rules, paytables and return to player",
        access: "public",
        replies: { 200: { description: "OK", json: gamesResponse } },
      },
    },
    "/api/v1/fairness": {
      get: {
        summary: "The caller's seed commitment in play, client seed and next nonce",
        access: "player",
        replies: { 200: { description: "OK", json: fairnessResponse } },
      },
    },
    "/api/v1/fairness/client-seed": {
      put: {
        summary: "Set the client seed of the caller's next rounds",
        access: "player",
        body: clientSeedBody,
        replies: { 200: { description: "OK", json: fairnessResponse } },
      },
    },
    "/api/v1/fairness/rotate": {
      post: {
        summary: "Reveal the seed in play and put the committed next seed in play",
        description:
          "A new next seed is committed (a ledger entry) in the same transaction; rounds never wait for a commitment.",
        access: "player",
        replies: { 200: { description: "Rotated", json: rotationResponse } },
      },
    },
    "/api/v1/fairness/seeds/{id}": {
      get: {
        summary: "A seed's commitment leaf and inclusion proof, and the seed once revealed",
        description:
          "Public: the leaf does not say whose seed it is. With the revealed seed anyone replays its rounds (npm run rounds:verify).",
        access: "public",
        path: idPath,
        replies: { 200: { description: "OK", json: publicSeedResponse } },
        errors: { not_found: "no such seed" },
      },
    },
    "/api/v1/rounds": {
      post: {
        summary: "Play a round",
        description:
          "The same Idempotency-Key (per player) answers the same round again (with Idempotent-Replayed: true), or the same refusal: a retry never plays a round it was refused. The same key with another request answers 422. Without a key the round gets one of its own.",
        access: "player",
        headers: z.object({ "Idempotency-Key": idempotencyKey.optional() }),
        body: roundBody,
        replies: { 201: { description: "Played", json: roundResponse } },
        errors: refusals,
      },
      get: {
        summary: "The caller's rounds, newest first",
        access: "player",
        query: roundsQuery,
        replies: { 200: { description: "A page of rounds", json: roundsResponse } },
      },
    },
    "/api/v1/rounds/{id}": {
      get: {
        summary: "One of the caller's rounds, with its record, leaf and (once revealed) seed",
        access: "player",
        path: idPath,
        replies: { 200: { description: "OK", json: roundDetailResponse } },
        errors: { not_found: "no such round of the caller's" },
      },
    },
  },
};
