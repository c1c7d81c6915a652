import { z } from "zod";
import { auditFilterSchema, auditPageSchema } from "@/lib/audit/model";
import { dateTime, exportFormatQuery, outcome, type Resource, uuid } from "./wire";

export const auditEventResponse = z
  .object({
    id: z.number().int(),
    at: dateTime,
    actor: z.object({ id: uuid, email: z.string(), displayName: z.string() }).nullable(),
    action: z.string().meta({ examples: ["account_suspend"] }),
    subject: z
      .string()
      .nullable()
      .meta({ examples: ["user:3f0c…"] }),
    outcome,
    reason: z
      .string()
      .nullable()
      .meta({ examples: ["not_eligible:region"] }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    tokenId: uuid.nullable(),
    requestId: z.string().nullable().meta({
      description: "the X-Request-Id of the request it happened in; null for the worker's",
    }),
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: "admin changes carry {before, after}" }),
  })
  .meta({ id: "AuditEvent" });

export const auditEventsPageResponse = z.object({
  events: z.array(auditEventResponse),
  nextCursor: z.number().int().nullable().meta({ description: "cursor of the next page" }),
});

export const audit: Resource = {
  name: "Admin: audit trail",
  description: "Who did what, when, from where.",
  paths: {
    "/api/v1/admin/audit-events": {
      get: {
        summary: "Search the audit trail, newest first; format=csv downloads every match",
        access: "staff",
        query: auditFilterSchema.extend(auditPageSchema.shape).extend(exportFormatQuery.shape),
        replies: {
          200: {
            description:
              "A page of events (JSON) or all of them (RFC 4180 CSV, formula cells prefixed with ')",
            json: auditEventsPageResponse,
            text: "text/csv",
          },
        },
      },
    },
  },
};
