/** The audit trail as the browser may see it: filters, pages and the views of events. */
import { z } from "zod";
import { moment, optional } from "@/lib/validation/query-fields";
import { plainText } from "@/lib/validation/storable-text";

export const outcomes = ["ok", "refused", "failed"] as const;

/** The filters of the audit page, the API and the CSV export (all optional). */
export const auditFilterSchema = z.object({
  /** An account id, or an email address (exact, any case). */
  actor: optional(plainText(254)),
  action: optional(plainText(64)),
  outcome: optional(z.enum(outcomes, { error: "Outcome is ok, refused or failed" })),
  /** A reason code or its prefix: `not_eligible` finds every `not_eligible:…`. */
  reason: optional(plainText(100)),
  /** Exact, e.g. `user:<id>` or `drop:<id>`. */
  subject: optional(plainText(200)),
  /**
   * Exact: the X-Request-Id of the request the event happened in, as a caller quotes it. (Not
   * indexed: narrow it with from/to on a large trail.)
   */
  requestId: optional(plainText(64)),
  /** An address or a network (CIDR). */
  ip: optional(
    z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
      error: "Enter an IP address or a network such as 10.0.0.0/8",
    }),
  ),
  from: optional(moment),
  to: optional(moment),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditPageSchema = z.object({
  /** The id of the last event of the previous page. */
  cursor: optional(z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
  limit: optional(z.coerce.number().int().min(1).max(500)),
});

export type AuditEventView = {
  id: number;
  at: string;
  actor: { id: string; email: string; displayName: string } | null;
  action: string;
  subject: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  tokenId: string | null;
  requestId: string | null;
  data: Record<string, unknown> | null;
};

/** The audit actions of a player's attempts: claims (lib/claims/claim-engine) and lottery entries. */
export const ATTEMPT_ACTIONS = { claim: "claim", lottery_enter: "lottery entry" } as const;

export type ClaimAttempt = {
  id: number;
  at: string;
  kind: (typeof ATTEMPT_ACTIONS)[keyof typeof ATTEMPT_ACTIONS];
  drop: { id: string; title: string } | null;
  outcome: string;
  /** The stable refusal code, e.g. `not_eligible:region`; null when it went through. */
  reason: string | null;
  /** The reason as the player was told it. */
  message: string | null;
  redemptionId: string | null;
};

export const attemptsPageSchema = z.object({
  cursor: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  ),
  limit: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().int().min(1).max(100).optional(),
  ),
});
