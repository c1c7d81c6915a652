import { z } from "zod";
import { eligibilitySchema } from "@/lib/drops/model";
import { allocation, dateTime, prizeKind, type Resource, tier, uuid } from "./wire";

export const dropPrizeResponse = z
  .object({
    id: uuid,
    name: z.string(),
    kind: prizeKind,
    valueCents: z.number().int(),
    description: z.string().nullable(),
    tokenAmount: z
      .string()
      .nullable()
      .meta({ description: "crypto: tokens one unit pays out", examples: ["25"] }),
    tokenSymbol: z
      .string()
      .nullable()
      .meta({ examples: ["USDC"] }),
  })
  .meta({ id: "DropPrize" });

export const dropResponse = z
  .object({
    id: uuid,
    title: z.string(),
    description: z.string().nullable(),
    prize: dropPrizeResponse,
    pools: z.array(
      z.object({ id: uuid, prize: dropPrizeResponse, units: z.number().int(), minTier: tier }),
    ),
    units: z.number().int(),
    remaining: z.number().int(),
    startsAt: dateTime,
    endsAt: dateTime,
    perPlayerLimit: z.number().int(),
    allocation,
    eligibility: eligibilitySchema,
    status: z.enum(["upcoming", "live", "paused", "ended", "sold_out"]),
    endedEarlyAt: dateTime
      .nullable()
      .meta({ description: "set when an admin ended the drop before its scheduled end" }),
    waitingRoom: z.boolean().meta({
      description:
        "a waiting room is on: join it (POST /api/v1/drops/{dropId}/queue) and claim with its Admission-Token",
    }),
  })
  .meta({
    id: "Drop",
    description: "A drop: prize is its headline prize (the first pool's), pools all its prizes.",
  });

export const openDropsResponse = z.object({
  serverTime: dateTime.meta({ description: "the server's clock, to count down by" }),
  drops: z.array(dropResponse),
});

export const drops: Resource = {
  name: "Drops",
  description: "What is live and coming up, for anyone.",
  paths: {
    "/api/v1/drops": {
      get: {
        summary: "Live and upcoming drops with the server's time",
        access: "public",
        replies: { 200: { description: "OK", json: openDropsResponse } },
      },
    },
    "/api/v1/drops/{dropId}/stream": {
      get: {
        summary: "One drop, live (Server-Sent Events)",
        description:
          "A `drop` event, `{paused, remaining, units, startsAt, endsAt, endedEarlyAt}`, at once and whenever an admin or a claim changes the drop, and heartbeats. Its status follows from these and the clock (GET /api/v1/drops gives the server's time): ended from endsAt, upcoming before startsAt, then paused, then sold out at remaining 0. A stream ends after 30 minutes (EventSource reconnects by itself); one address holds at most 20 streams per web instance.",
        access: "public",
        path: z.object({ dropId: uuid }),
        replies: { 200: { description: "An event stream", text: "text/event-stream" } },
        errors: {
          not_found: "no such drop",
          rate_limited: "too many streams open from this address",
        },
      },
    },
  },
};
