import { z } from "zod";
import { ledgerIdentitySchema } from "@/lib/ledger/identity";
import type { Resource } from "./wire";

export const checkpointResponse = z
  .object({
    treeSize: z.number().int(),
    rootHash: z.string().meta({ description: "0x and 64 hex digits" }),
    chainId: z.number().int().nullable(),
    contract: z.string().nullable(),
    txHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    blockTime: z.number().int().nullable().meta({ description: "Unix seconds" }),
  })
  .meta({ id: "Checkpoint" });

export const checkpointsResponse = z.object({ checkpoints: z.array(checkpointResponse) });

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

export const ledgerIdentityResponse = ledgerIdentitySchema.meta({ id: "LedgerIdentity" });

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
