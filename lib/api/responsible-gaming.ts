import { z } from "zod";
import {
  exclusionSchema,
  rgExclusionKinds,
  rgLimitKinds,
  rgPeriods,
  rgSettingsSchema,
} from "@/lib/rg/model";
import { dateTime, type Resource } from "./wire";

const money = z.string().meta({ examples: ["50.00"] });

export const responsibleGamingResponse = z
  .object({
    limits: z.array(
      z.object({
        kind: z.enum(rgLimitKinds).meta({
          description: "purchase (in USD), wager_gc or wager_sc (in coins)",
        }),
        period: z.enum(rgPeriods).meta({
          description: "a rolling window: the last 24 hours, 7 days or 30 days",
        }),
        amount: money.nullable().meta({ description: "the limit in force; null: none" }),
        pending: z
          .object({
            amount: money.nullable().meta({ description: "null: the limit is being removed" }),
            from: dateTime,
          })
          .nullable()
          .meta({ description: "a raise or removal waiting for its 24 hours" }),
        used: money.meta({ description: "what the window holds so far" }),
      }),
    ),
    exclusion: z
      .object({
        kind: z.enum(rgExclusionKinds),
        startsAt: dateTime,
        endsAt: dateTime.nullable().meta({ description: "null: permanent" }),
      })
      .nullable()
      .meta({ description: "the cool-off or self-exclusion in force" }),
    sessionReminderMinutes: z.number().int().nullable(),
  })
  .meta({ id: "ResponsibleGaming" });

export const responsibleGaming: Resource = {
  name: "Responsible gaming",
  description:
    "The caller's limits on purchases and wagers, cool-offs, self-exclusions and the session-time reminder.",
  paths: {
    "/api/v1/account/limits": {
      get: {
        summary: "The caller's limits, the exclusion in force and the session reminder",
        access: "player",
        replies: { 200: { description: "OK", json: responsibleGamingResponse } },
      },
      put: {
        summary: "Set limits and the session reminder",
        description:
          "A lower limit applies at once; a higher one, or a removal (amount null), waits 24 hours in `pending`. Limits not sent stay as they are. Every change is audited.",
        access: "player",
        body: rgSettingsSchema,
        replies: { 200: { description: "The new settings", json: responsibleGamingResponse } },
      },
    },
    "/api/v1/account/exclusions": {
      post: {
        summary: "Start a cool-off (1 to 42 days) or a self-exclusion (6 months to permanent)",
        description:
          "From now on rounds, purchases and redemptions are refused with self_excluded until it ends. Nobody, not even an admin, can end one early; a new one may only end later.",
        access: "player",
        body: exclusionSchema,
        replies: { 201: { description: "Started", json: responsibleGamingResponse } },
        errors: { already_excluded: "the one in force ends later (or never)" },
      },
    },
  },
};
