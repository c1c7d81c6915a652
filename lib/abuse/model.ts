/** Abuse controls as the browser may see them: excluded regions and what links accounts. */
import { z } from "zod";
import { countryCodeSchema } from "@/lib/geo/model";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

/** What links accounts: a device cookie, an address, payout details. */
export const signalKinds = ["device", "ip", "payout"] as const;
export type SignalKind = (typeof signalKinds)[number];

export type ExcludedRegion = {
  code: string;
  name: string;
  note: string | null;
  /** Only Sweeps Coins play and redemption are refused there; claims and GC play stay open. */
  sweepsOnly: boolean;
  createdAt: string;
};

const note = z
  .string()
  .trim()
  .max(500, "The note is at most 500 characters")
  .refine(withoutNul, NUL_MESSAGE);

export const excludedRegionSchema = z.object({
  code: countryCodeSchema,
  note: note.optional(),
  sweepsOnly: z.boolean({ error: "sweepsOnly is true or false" }).optional(),
});
export type ExcludedRegionInput = z.infer<typeof excludedRegionSchema>;

export const excludedRegionsSchema = z
  .object({ regions: z.array(excludedRegionSchema).max(300, "At most 300 regions") })
  .strict();

export const removeRegionSchema = z.object({ code: countryCodeSchema, note: note.optional() });
