import { z } from "zod";
import { LOTTERY_ALGORITHM } from "@/lib/lottery/draw";
import { dateTime, type Resource, uuid } from "./wire";

const entrant = z.string().meta({ description: "the entrant's public pseudonym, 64 hex digits" });

export const lotteryEntryResponse = z
  .object({
    dropId: uuid,
    entrant,
    weight: z.number().int().meta({ description: "the tier at entry: bronze 1, silver 2, gold 4" }),
    enteredAt: dateTime,
  })
  .meta({ id: "LotteryEntry" });

export const lotteryEntryReply = z.object({ entry: lotteryEntryResponse });

export const lotteryTranscriptResponse = z
  .object({
    algorithm: z.literal(LOTTERY_ALGORITHM),
    dropId: uuid,
    title: z.string(),
    units: z.number().int(),
    startsAt: dateTime,
    endsAt: dateTime,
    seedHash: z.string().meta({ description: "hex SHA-256 of the seed, published from the start" }),
    seed: z.string().nullable().meta({ description: "hex, revealed at the draw (null before)" }),
    drawnAt: dateTime.nullable(),
    entries: z.array(z.object({ entrant, weight: z.number().int() })),
    winners: z
      .array(z.string())
      .nullable()
      .meta({ description: "entrants granted a unit, in ranking order (null before the draw)" }),
    skipped: z
      .array(z.object({ entrant: z.string(), reason: z.string() }))
      .nullable()
      .meta({ description: "entrants ranked high enough but refused at the draw, with why" }),
  })
  .meta({ id: "LotteryTranscript", description: "See docs/lottery.md." });

const dropPath = z.object({ dropId: uuid });

export const lottery: Resource = {
  name: "Lottery",
  description: "Entering a lottery drop, and its public transcript to replay the draw.",
  paths: {
    "/api/v1/drops/{dropId}/entries": {
      post: {
        summary: "Enter a lottery drop while its window is open (see docs/lottery.md)",
        description:
          "201 with a new entry, 200 with the same entry when the player had already entered. The weight is the player's tier at entry: bronze 1, silver 2, gold 4.",
        access: "player",
        path: dropPath,
        replies: {
          200: { description: "Already entered", json: lotteryEntryReply },
          201: { description: "Entered", json: lotteryEntryReply },
        },
        errors: {
          bad_request: "a first-come drop: claim it instead",
          not_eligible: "error.reason names the rule, as for claims",
          not_found: "no such drop",
          not_started: "the window has not opened",
          ended: "the window has closed",
          paused: "the drop is paused",
          rate_limited: "too many entries (Retry-After)",
        },
      },
    },
    "/api/v1/drops/{dropId}/lottery": {
      get: {
        summary: "The public transcript of a lottery drop, to replay its draw",
        description:
          "The seed is null until the draw; then the winners are listed in ranking order. Replay with npm run lottery:replay (docs/lottery.md).",
        access: "public",
        path: dropPath,
        replies: { 200: { description: "The transcript", json: lotteryTranscriptResponse } },
        errors: { not_found: "no such drop, or not a lottery" },
      },
    },
  },
};
