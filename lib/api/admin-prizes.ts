import { z } from "zod";
import { MAX_CSV_BYTES, MAX_CSV_CODES, rejectionReasons } from "@/lib/codes/model";
import { deliveryProviders } from "@/lib/delivery/model";
import { createPrizeSchema, updatePrizeSchema } from "@/lib/prizes/model";
import { dropPrizeResponse } from "./drops";
import { createdResponse, dateTime, idPath, type Resource } from "./wire";

export const prizeResponse = dropPrizeResponse
  .extend({
    quantity: z.number().int(),
    allocated: z.number().int().meta({ description: "units held by drops, claimed or not" }),
    claimed: z.number().int(),
    remaining: z.number().int().meta({ description: "quantity minus claimed units" }),
    delivery: z.enum(deliveryProviders).meta({
      description:
        "how a unit reaches its winner: pool (imported codes) or giftcard (an order at the gift-card provider) for gift cards; token; shipping",
    }),
    providerProduct: z
      .string()
      .nullable()
      .meta({ description: "a gift card from the provider: its product, e.g. amazon-us" }),
    codesUnused: z
      .number()
      .int()
      .nullable()
      .meta({ description: "gift cards from the pool: codes not yet handed out; null otherwise" }),
    codesTotal: z.number().int().nullable(),
    retiredAt: dateTime.nullable(),
    createdAt: dateTime,
  })
  .meta({ id: "Prize", description: "A prize with its live inventory" });

export const prizesResponse = z.object({ prizes: z.array(prizeResponse) });

/** Gift codes sent as JSON rather than text/csv. */
export const importCodesBody = z.object({ csv: z.string() });

export const importReportResponse = z
  .object({
    accepted: z.number().int(),
    rejected: z.array(
      z.object({
        line: z.number().int(),
        code: z.string().optional().meta({ description: "masked, e.g. ABCD…WXYZ" }),
        reason: z.enum(rejectionReasons),
        firstLine: z
          .number()
          .int()
          .optional()
          .meta({ description: "duplicate_in_file: the earlier line with the same code" }),
      }),
    ),
    total: z.number().int().meta({ description: "non-blank lines after the header" }),
  })
  .meta({ id: "ImportReport" });

export const adminPrizes: Resource = {
  name: "Admin: prizes",
  description: "Prizes, their stock and gift codes.",
  paths: {
    "/api/v1/admin/prizes": {
      get: {
        summary: "All prizes with stock",
        access: "admin",
        replies: { 200: { description: "OK", json: prizesResponse } },
      },
      post: {
        summary: "Create a prize (audited)",
        access: "admin",
        body: createPrizeSchema,
        replies: { 201: { description: "Created: the new prize's id", json: createdResponse } },
      },
    },
    "/api/v1/admin/prizes/{id}": {
      get: {
        summary: "One prize with its live inventory (units in drops, claimed, gift codes left)",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: prizeResponse } },
        errors: { not_found: "no such prize" },
      },
      patch: {
        summary: "Edit or retire a prize (audited with before/after)",
        description:
          "Every field optional; the kind never changes. quantity may go down but not below the units drops already hold (invalid_input, details.allocated). retired: true keeps the prize out of every new drop (drops that have it keep it); false brings it back.",
        access: "admin",
        path: idPath,
        body: updatePrizeSchema,
        replies: { 200: { description: "OK", json: prizeResponse } },
        errors: { not_found: "no such prize" },
      },
    },
    "/api/v1/admin/prizes/{id}/codes": {
      post: {
        summary: `Import gift codes (CSV, one a line, at most ${MAX_CSV_CODES.toLocaleString("en")} codes and ${MAX_CSV_BYTES / 1024 / 1024} MB; audited)`,
        access: "admin",
        path: idPath,
        textBody: { mediaType: "text/csv", description: "a header line, then one code a line" },
        body: importCodesBody,
        replies: { 201: { description: "Import report", json: importReportResponse } },
        errors: { invalid_input: "field csv, or prizeId: not a gift-card prize" },
      },
    },
  },
};
