import { z } from "zod";
import { ledgerIdentitySchema } from "@/lib/ledger/identity";
import { deliveryOutcomes, leafProviders } from "@/lib/ledger/leaf";
import { ledgerKinds } from "@/lib/ledger/model";
import { dateTime, type Resource, uuid } from "./wire";

export const checkpointResponse = z
  .object({
    treeSize: z.number().int(),
    rootHash: z.string().meta({ description: "0x and 64 hex digits" }),
    chainId: z.number().int().nullable(),
    contract: z.string().nullable(),
    txHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    blockTime: z.number().int().nullable().meta({ description: "Unix seconds" }),
    note: z.string().nullable().meta({
      description:
        "the checkpoint as a C2SP signed note (tlog-checkpoint: origin, size, base64 root), with the log's Ed25519 signature; null when the log had no key when it was anchored",
    }),
  })
  .meta({ id: "Checkpoint" });

const cosignatureResponse = z
  .object({
    witnessKey: z.string().meta({ description: "the witness's cosignature/v1 verifier key" }),
    line: z.string().meta({
      description: "the signature line to append to `note` (C2SP tlog-cosignature)",
    }),
    cosignedAt: z.number().int().meta({ description: "the witness's time, Unix seconds" }),
  })
  .meta({ id: "Cosignature" });

export const checkpointsResponse = z.object({
  checkpoints: z.array(
    checkpointResponse.extend({
      cosignatures: z.array(cosignatureResponse).meta({
        description:
          "witnesses' cosignatures of `note`, by witness key; /checkpoint serves the newest note with them",
      }),
    }),
  ),
});

export const leavesQuery = z
  .object({
    start: z.coerce.number().int().min(0).default(0),
    end: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: "exclusive; at most 1,000 leaves a page" }),
  })
  .refine((q) => q.end === undefined || q.end > q.start, {
    path: ["end"],
    message: "must be greater than start",
  });

export const leavesResponse = z.object({
  start: z.number().int(),
  end: z.number().int().meta({ description: "exclusive: start plus the leaves returned" }),
  leaves: z.array(
    z.object({
      index: z.number().int(),
      data: z.string().meta({ description: "the leaf's canonical bytes, 0x hex" }),
    }),
  ),
});

const hex32 = z.string().meta({ description: "0x and 64 hex digits" });

export const ledgerEntryPath = z.object({
  index: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({
    description: "the leaf's index in the log, from 0",
  }),
});

/** A leaf's fields as lib/ledger/public-entry.ts `entryFields` reads them from its bytes. */
const entryFields = z
  .object({
    kind: z.enum(ledgerKinds),
    entryId: uuid.meta({
      description:
        "the redemption's id (redemption, reversal, expiry, delivery), the round's, the seed's or the drop's (queue_draw)",
    }),
    timeMs: z.number().int(),
    time: dateTime,
    playerCommitment: hex32.meta({
      description:
        "SHA-256 of the player's id and a salt only the player's receipt carries; a queue_draw's drawDigest",
    }),
    prizeId: uuid.optional(),
    dropId: uuid.nullable().optional(),
    valueCents: z.number().int().optional(),
    serverSeedHash: hex32.optional(),
    firstNonce: z.number().int().optional(),
    roundDigest: hex32.optional(),
    payoutMinor: z.number().int().optional(),
    referenceHash: hex32.optional(),
    outcome: z.enum(deliveryOutcomes).optional(),
    provider: z.enum(leafProviders).optional(),
    preQueueDigest: hex32.optional(),
    count: z.number().int().optional(),
    drawDigest: hex32.optional(),
  })
  .meta({ id: "LedgerEntryFields" });

export const ledgerEntryResponse = z
  .object({
    index: z.number().int(),
    data: z.string().meta({ description: "the leaf's canonical bytes, 0x hex" }),
    leafHash: hex32.meta({ description: "SHA-256(0x00 ‖ data)" }),
    entry: entryFields.nullable().meta({ description: "null if the bytes do not decode" }),
    prize: z.object({ id: uuid, name: z.string().nullable() }).nullable(),
    drop: z.object({ id: uuid, title: z.string().nullable() }).nullable(),
    inclusion: z
      .object({ treeSize: z.number().int(), rootHash: hex32, auditPath: z.array(hex32) })
      .nullable()
      .meta({
        description:
          "the RFC 6962 audit path from the leaf to the latest anchored checkpoint's root; null while no anchored checkpoint covers the leaf",
      }),
    anchor: checkpointResponse.nullable().meta({
      description: "the first anchored checkpoint that covers the leaf; null until one is",
    }),
  })
  .meta({ id: "LedgerEntry" });

export const ledgerIdentityResponse = ledgerIdentitySchema.meta({ id: "LedgerIdentity" });

const wholeNumber = "must be a whole number, from 0";
/** A tree size or leaf index as query text: digits only (no "", " 7" or "1e3"), a safe integer. */
const treeSizeParam = z
  .string({ error: wholeNumber })
  .regex(/^(?:0|[1-9]\d{0,15})$/, wholeNumber)
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, "is too large"));

const sizeDefault = "; the published size if left out";

export const consistencyQuery = z.object({
  from: treeSizeParam.meta({ description: "the older tree size" }),
  to: treeSizeParam
    .optional()
    .meta({ description: `the newer tree size, at most the published size${sizeDefault}` }),
});

export const consistencyResponse = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    fromRoot: hex32.meta({ description: "the root of the tree of `from` leaves" }),
    toRoot: hex32.meta({ description: "the root of the tree of `to` leaves" }),
    proof: z.array(hex32).meta({
      description: "the RFC 6962 consistency proof, in order; empty when from is 0 or equals to",
    }),
  })
  .meta({ id: "ConsistencyProof" });

export const inclusionQuery = z.object({
  hash: z
    .string()
    .regex(/^(?:0x)?[0-9a-fA-F]{64}$/, "must be 64 hex digits, with or without 0x")
    .optional()
    .meta({ description: "the leaf hash, SHA-256(0x00 ‖ leaf); give it or index" }),
  index: treeSizeParam.optional().meta({ description: "the leaf's index; give it or hash" }),
  size: treeSizeParam
    .optional()
    .meta({ description: `the tree size, at most the published size${sizeDefault}` }),
});

export const inclusionResponse = z
  .object({
    index: z.number().int(),
    size: z.number().int(),
    leafHash: hex32,
    rootHash: hex32.meta({ description: "the root of the tree of `size` leaves" }),
    proof: z.array(hex32).meta({ description: "the RFC 6962 audit path, leaf to root" }),
  })
  .meta({ id: "InclusionProof" });

export const ledger: Resource = {
  name: "Ledger",
  description: "The public, chain-anchored log that receipts are checked against.",
  paths: {
    "/api/v1/ledger/checkpoints": {
      get: {
        summary: "Anchored checkpoints, newest first",
        access: "public",
        replies: {
          200: { description: "OK", json: checkpointsResponse },
        },
      },
    },
    "/api/v1/ledger/identity": {
      get: {
        summary: "The operator's ledger identity (also at /.well-known/prizeledger.json)",
        description:
          "The chain, contract, deployment block, receipt signers and public JSON-RPC node that this operator's receipts must name. Verifiers pin it instead of trusting the chain and contract a receipt names. Readable from any origin.",
        access: "public",
        replies: { 200: { description: "OK", json: ledgerIdentityResponse } },
        errors: { not_found: "no ledger is configured" },
      },
    },
    "/api/v1/ledger/entries/{index}": {
      get: {
        summary: "One leaf of the public log, decoded, with its inclusion proof and anchoring",
        description:
          "The leaf's fields in words (the names of its prize and drop, never its player: only the player commitment the leaf itself publishes), its audit path to the latest anchored checkpoint, and the checkpoint and transaction that first anchored it. The page /ledger/{index} shows the same.",
        access: "public",
        path: ledgerEntryPath,
        replies: { 200: { description: "OK", json: ledgerEntryResponse } },
        errors: {
          invalid_input: "the index is not a whole number",
          not_found: "the log has no leaf at this index (yet)",
        },
      },
    },
    "/api/v1/ledger/proofs/consistency": {
      get: {
        summary: "A consistency proof between two tree sizes, up to the published size",
        description:
          "Proves that the tree of `from` leaves is a prefix of the tree of `to` leaves (RFC 6962 §2.1.2), with both roots so they can be checked against checkpoints. Hashes are 0x hex like the rest of the API (C2SP's base64 is the same 32 bytes). The published size is that of the newest anchored checkpoint; tiles (/tile/…, c2sp.org/tlog-tiles) serve the same tree.",
        access: "public",
        query: consistencyQuery,
        replies: { 200: { description: "OK", json: consistencyResponse } },
        errors: {
          invalid_input:
            "a size is not a whole number, from is above to, or to is above the published size",
          not_found: "the log has published no checkpoint yet",
        },
      },
    },
    "/api/v1/ledger/proofs/inclusion": {
      get: {
        summary: "The inclusion proof of a leaf, by its hash or index, at a tree size",
        description:
          "The RFC 6962 audit path of the leaf in the tree of `size` leaves, with that tree's root. Give the leaf hash (the first leaf with it) or its index.",
        access: "public",
        query: inclusionQuery,
        replies: { 200: { description: "OK", json: inclusionResponse } },
        errors: {
          invalid_input:
            "neither or both of hash and index, a malformed value, or a size above the published size or not above the index",
          not_found: "no checkpoint is published yet, or no leaf within size has this hash",
        },
      },
    },
    "/api/v1/ledger/leaves": {
      get: {
        summary: "Leaves [start, end) of the public log, at most 1,000 a page",
        access: "public",
        query: leavesQuery,
        replies: { 200: { description: "OK", json: leavesResponse } },
      },
    },
  },
};
