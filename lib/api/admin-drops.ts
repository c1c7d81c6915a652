import { z } from "zod";
import { dropReportSections, outcomeCategories } from "@/lib/analytics/model";
import { createDropSchema, updateDropSchema } from "@/lib/drops/model";
import { dropResponse } from "./drops";
import {
  allocation,
  createdResponse,
  dateTime,
  exportFormatQuery,
  idPath,
  type Resource,
  uuid,
} from "./wire";

export const outcomeCountsResponse = z
  .object(
    Object.fromEntries(outcomeCategories.map((c) => [c, z.number().int()])) as Record<
      (typeof outcomeCategories)[number],
      z.ZodNumber
    >,
  )
  .meta({
    id: "OutcomeCounts",
    description: "Claim answers by category; refusal reasons outside the named ones count as other",
  });

export const dropReportResponse = z
  .object({
    generatedAt: dateTime,
    drop: z.object({
      id: uuid,
      title: z.string(),
      units: z.number().int(),
      remaining: z.number().int(),
      startsAt: dateTime,
      endsAt: dateTime,
      endedEarlyAt: dateTime.nullable(),
      allocation,
    }),
    timeToSellOutSeconds: z.number().nullable().meta({
      description:
        "from the start until the last unit was given; null unless sold out now (expired claims and recovered prizes give units back)",
    }),
    claimCurve: z.object({
      bucketSeconds: z.number().int(),
      points: z.array(
        z.object({ t: dateTime, claims: z.number().int(), cumulative: z.number().int() }),
      ),
    }),
    uniquePlayers: z.number().int(),
    outcomes: outcomeCountsResponse,
    refusalsByReason: z.array(
      z.object({
        reason: z.string(),
        label: z.string().meta({ description: "the reason in words" }),
        count: z.number().int(),
      }),
    ),
    flaggedAccounts: z.array(
      z.object({
        id: uuid,
        email: z.string(),
        displayName: z.string(),
        flaggedAt: dateTime,
        flaggedReason: z.string().nullable(),
      }),
    ),
    anchored: z.number().int(),
    redemptions: z.number().int(),
    anchoredShare: z
      .number()
      .meta({ description: "anchored / redemptions (1 when none): reaches 1" }),
    deliveryStatus: z.object({
      fulfilled: z.number().int(),
      awaiting_action: z.number().int(),
      expired: z.number().int(),
      reversed: z.number().int(),
    }),
  })
  .meta({ id: "DropReport" });

/** The report's query: `section` picks one CSV file per section (format=csv only). */
export const dropReportQuery = exportFormatQuery
  .extend({
    section: z
      .enum(dropReportSections, {
        error: `one of ${dropReportSections.join(", ")}`,
      })
      .optional()
      .meta({ description: "with format=csv: that section alone, as a CSV file of its own" }),
  })
  .refine((q) => q.section === undefined || q.format === "csv", {
    path: ["section"],
    error: "only with format=csv",
  });

export const dropsResponse = z.object({ drops: z.array(dropResponse) });

export const adminDrops: Resource = {
  name: "Admin: drops",
  description: "Creating, editing, pausing and ending drops, and their reports.",
  paths: {
    "/api/v1/admin/drops": {
      get: {
        summary: "All drops",
        access: "admin",
        replies: { 200: { description: "OK", json: dropsResponse } },
      },
      post: {
        summary: "Create a drop from a prize's unallocated stock (audited)",
        description:
          "Either prizeId and units (one pool), or pools. A retired prize is refused (invalid_input, field prizeId).",
        access: "admin",
        body: createDropSchema,
        replies: { 201: { description: "Created: the new drop's id", json: createdResponse } },
      },
    },
    "/api/v1/admin/drops/{id}": {
      get: {
        summary: "One drop",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: dropResponse } },
        errors: { not_found: "no such drop" },
      },
      patch: {
        summary: "Edit a drop before its start; pause, resume, move the end later or end it early",
        description:
          "Before the start every field may change (pools are rebuilt from the prizes' stock). Once started only endsAt (later than now), paused and end are accepted. end: true ends a live drop now (endsAt = now, endedEarlyAt set; a lottery is drawn from the entries made so far). start: true, alone, starts a scheduled drop now (startsAt = now; an open waiting room's pre-queue is drawn as at the start); refused once started or while paused. Audited with before/after.",
        access: "admin",
        path: idPath,
        body: updateDropSchema,
        replies: { 200: { description: "OK", json: dropResponse } },
        errors: {
          not_found: "no such drop",
          drop_started:
            "a field other than endsAt, paused or end after the start (details.fields), or start on a started drop",
          ended: "the drop has ended",
          not_started: "end on an upcoming drop",
          paused: "start on a paused drop: resume it first",
          queue_open:
            "the waiting room's pre-queue is open: its switch, lead time and the drop's start stay (docs/waiting-room.md)",
        },
      },
    },
    "/api/v1/admin/drops/{id}/report": {
      get: {
        summary: "A drop's report; format=csv downloads it as CSV",
        description:
          "format=csv&section=… downloads one section as an RFC 4180 CSV file with a header row (refusals and outcomes carry a label column in words); format=csv alone gives every section in one file, each after a `# title` line.",
        access: "staff",
        path: idPath,
        query: dropReportQuery,
        replies: {
          200: {
            description: "The report (JSON), one section or all its sections as RFC 4180 CSV",
            json: dropReportResponse,
            text: "text/csv",
          },
        },
        errors: { not_found: "no such drop" },
      },
    },
  },
};
