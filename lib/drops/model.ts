/** Drops as the browser may see them: allocation modes, eligibility rules, views and forms. */
import { z } from "zod";
import { type LoyaltyTier, loyaltyTiers } from "@/lib/claims/model";
import type { PrizeKind } from "@/lib/prizes/model";
import { waitingRoomInputSchema } from "@/lib/queue/model";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

/** First come, first served; or entries until the end, then a seeded draw. */
export const allocationModes = ["first_come", "lottery"] as const;
export type AllocationMode = (typeof allocationModes)[number];

export const allocationLabels: Record<AllocationMode, string> = {
  first_come: "First come, first served",
  lottery: "Weighted lottery (drawn at the end)",
};

/** A unit of a drop is available until a claim (or a lottery's draw) takes it. */
export const unitStatuses = ["available", "claimed"] as const;
export type UnitStatus = (typeof unitStatuses)[number];

/** Where a drop stands for players, from its schedule, stock and the admin's pause. */
export type DropStatus = "upcoming" | "live" | "paused" | "ended" | "sold_out";

/**
 * The status from its parts, in this order: the window first (an ended drop is ended, paused or
 * not), then the admin's pause, then the stock.
 */
export function dropStatus(parts: {
  started: boolean;
  ended: boolean;
  paused: boolean;
  remaining: number;
}): DropStatus {
  if (parts.ended) return "ended";
  if (!parts.started) return "upcoming";
  if (parts.paused) return "paused";
  return parts.remaining === 0 ? "sold_out" : "live";
}

/**
 * What the drop page follows live: pushed when an admin or a claim changes it, while its
 * window is judged in the browser on the server's clock (`dropStatusAt`).
 */
export type DropLiveState = {
  paused: boolean;
  remaining: number;
  units: number;
  startsAt: string;
  endsAt: string;
  endedEarlyAt: string | null;
};

/** The status of a drop at `nowMs` (the server's clock, as the browser keeps it). */
export function dropStatusAt(state: DropLiveState, nowMs: number): DropStatus {
  return dropStatus({
    started: nowMs >= Date.parse(state.startsAt),
    ended: nowMs >= Date.parse(state.endsAt),
    paused: state.paused,
    remaining: state.remaining,
  });
}

export type EligibilityRules = {
  verifiedEmail?: boolean;
  minAccountAgeDays?: number;
  minTier?: LoyaltyTier;
  regions?: string[];
  notFlagged?: boolean;
  /** Accounts linked to each other (device, address, payout details) share one claim. */
  onePerGroup?: boolean;
};

export type DropPrize = {
  id: string;
  name: string;
  kind: PrizeKind;
  valueCents: number;
  description: string | null;
  /** Crypto prizes: what one unit pays out, e.g. "25" "USDC". */
  tokenAmount: string | null;
  tokenSymbol: string | null;
};

export type DropView = {
  id: string;
  title: string;
  description: string | null;
  /** The headline prize: the first pool's. */
  prize: DropPrize;
  pools: Array<{ id: string; prize: DropPrize; units: number; minTier: LoyaltyTier }>;
  units: number;
  remaining: number;
  startsAt: string;
  endsAt: string;
  perPlayerLimit: number;
  allocation: AllocationMode;
  eligibility: EligibilityRules;
  status: DropStatus;
  /** Set when an admin ended the drop before its scheduled end. */
  endedEarlyAt: string | null;
  /** A waiting room is on: players join it, and claim with the admission it gives. */
  waitingRoom: boolean;
};

const tierSchema = z.enum(loyaltyTiers, {
  error: "Tier is bronze, silver or gold",
});

const unitsSchema = z.coerce
  .number({ error: "Units must be a number" })
  .int("Units must be a whole number")
  .min(1, "At least one unit")
  .max(1_000_000, "At most 1,000,000 units");

export const eligibilitySchema = z
  .object({
    verifiedEmail: z.boolean().optional(),
    minAccountAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
    minTier: tierSchema.optional(),
    regions: z
      .array(
        z
          .string()
          .trim()
          .toUpperCase()
          .regex(/^[A-Z]{2}$/, "Regions are two-letter country codes"),
      )
      .max(250)
      .optional(),
    notFlagged: z.boolean().optional(),
    onePerGroup: z.boolean().optional(),
  })
  .strict();

const titleSchema = z
  .string()
  .trim()
  .min(1, "Title is required")
  .max(120, "Title is too long")
  .refine(withoutNul, NUL_MESSAGE);
const dropDescriptionSchema = z
  .string()
  .trim()
  .max(2000, "Description is at most 2,000 characters")
  .refine(withoutNul, NUL_MESSAGE)
  .nullable();
const poolsSchema = z
  .array(
    z.object({
      prizeId: z.uuid({ error: "Choose a prize" }),
      units: unitsSchema,
      minTier: tierSchema.default("bronze"),
    }),
  )
  .min(1, "At least one pool")
  .max(10, "At most 10 pools");
const limitSchema = z.coerce
  .number({ error: "Limit must be a number" })
  .int()
  .min(1, "At least one per player")
  .max(100, "At most 100 per player");
const allocationSchema = z.enum(allocationModes, {
  error: "Allocation is first_come or lottery",
});

export const createDropSchema = z
  .object({
    title: titleSchema,
    description: dropDescriptionSchema.optional(),
    prizeId: z.uuid({ error: "Choose a prize" }).optional(),
    units: unitsSchema.optional(),
    pools: poolsSchema.optional(),
    startsAt: z.coerce.date({ error: "Start must be a date and time" }),
    endsAt: z.coerce.date({ error: "End must be a date and time" }),
    perPlayerLimit: limitSchema.default(1),
    eligibility: eligibilitySchema.default({}),
    allocation: allocationSchema.default("first_come"),
    waitingRoom: waitingRoomInputSchema.optional(),
  })
  .refine((d) => d.endsAt > d.startsAt, { path: ["endsAt"], message: "End must be after start" })
  .refine((d) => d.pools !== undefined || (d.prizeId !== undefined && d.units !== undefined), {
    path: ["prizeId"],
    message: "Choose a prize and a number of units",
  });
export type CreateDropInput = z.infer<typeof createDropSchema>;

/** A change to a drop: everything before the start; once started only `endsAt` (later), `paused`, `end`. */
export const updateDropSchema = z
  .object({
    title: titleSchema.optional(),
    description: dropDescriptionSchema.optional(),
    pools: poolsSchema.optional(),
    startsAt: z.coerce.date({ error: "Start must be a date and time" }).optional(),
    endsAt: z.coerce.date({ error: "End must be a date and time" }).optional(),
    perPlayerLimit: limitSchema.optional(),
    eligibility: eligibilitySchema.optional(),
    allocation: allocationSchema.optional(),
    /** Once the pre-queue opened only the rate and the admission lifetime may change. */
    waitingRoom: waitingRoomInputSchema.optional(),
    paused: z.boolean().optional(),
    /** Ends a live drop now (`endedEarlyAt`); a lottery is then drawn from the entries so far. */
    end: z.literal(true, { error: "end is true or absent" }).optional(),
    /**
     * Starts a scheduled drop now (`startsAt` = now): an open waiting room's pre-queue is then
     * drawn as at a normal start. Alone in its request.
     */
    start: z.literal(true, { error: "start is true or absent" }).optional(),
  })
  .strict();
export type UpdateDropInput = z.infer<typeof updateDropSchema>;
