/** Fairness as the browser may see it: the client seed's shape and the wire answers. */
import { z } from "zod";

/** What a player may choose as their client seed: 1-64 printable ASCII characters. */
export const clientSeedSchema = z
  .string({ error: "clientSeed is a string" })
  .trim()
  .min(1, "clientSeed must not be empty")
  .max(64, "clientSeed is at most 64 characters")
  .regex(/^[\x21-\x7e]+$/, "clientSeed is printable ASCII without spaces");

/** What GET /api/v1/fairness answers. */
export type FairnessView = {
  serverSeedHash: string;
  clientSeed: string;
  nonce: number;
  nextServerSeedHash: string;
};

/** What POST /api/v1/fairness/rotate answers. */
export type RotationView = {
  revealed: { serverSeed: string; serverSeedHash: string };
  current: { serverSeedHash: string };
};
