import { z } from "zod";
import { outcomes } from "@/lib/audit/model";
import { type Role, roles } from "@/lib/auth/model";
import { loyaltyTiers } from "@/lib/claims/model";
import { allocationModes } from "@/lib/drops/model";
import { type ErrorCode, errorStatus } from "@/lib/errors/app-error";
import { prizeKinds } from "@/lib/prizes/model";
import { redemptionStatuses } from "@/lib/redemptions/model";

/**
 * The vocabulary every resource file of lib/api describes the API with. Each resource file holds
 * its zod response schemas (requests are parsed with the domain's own schemas) and its paths; the
 * OpenAPI document, its reference page and the response test are all derived from them.
 */

/** Who may call an operation, as the roles its security names (none for public operations). */
export const accessRoles = {
  public: [],
  player: ["player"],
  /** Any signed-in account, each for its own things. */
  account: roles,
  admin: ["admin"],
  /** Admins and auditors. */
  staff: ["admin", "auditor"],
  /** Players, each for their own things, and auditors, who may read anyone's. */
  playerOrAuditor: ["player", "auditor"],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof accessRoles;

export type Reply = {
  description: string;
  /** The JSON body's schema. */
  json?: z.ZodType;
  /** A text body of another media type, checked by its content type only. */
  text?: "text/csv" | "text/event-stream";
};

export type Operation = {
  summary: string;
  description?: string;
  access: Access;
  path?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** An application/json request body, read with readJson. */
  body?: z.ZodType;
  /** A request body of another media type (besides or instead of JSON). */
  textBody?: { mediaType: "text/csv"; description: string };
  /** The success answers by status. */
  replies: Partial<Record<number, Reply>>;
  /**
   * Error codes this operation answers besides those its access, body and query imply, each with
   * when; the statuses come from `errorStatus`.
   */
  errors?: Partial<Record<ErrorCode, string>>;
};

export const METHODS = ["get", "post", "put", "patch", "delete"] as const;
type HttpMethod = (typeof METHODS)[number];
type Paths = Record<string, Partial<Record<HttpMethod, Operation>>>;

export type Resource = {
  /** The reference page's section title and the document's tag. */
  name: string;
  description: string;
  paths: Paths;
};

/** An instant as the API writes it: ISO 8601 with its offset (the API sends UTC, `Z`). */
export const dateTime = z.iso.datetime({ offset: true });
export const uuid = z.uuid();
export const prizeKind = z.enum(prizeKinds);
export const tier = z.enum(loyaltyTiers);
export const role = z.enum(roles);
export const allocation = z.enum(allocationModes);
export const redemptionStatus = z.enum(redemptionStatuses);

/** A JSON answer, or with `format=csv` the same as a CSV download. */
export const exportFormatQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });

/** What a create answers: the new thing's id. */
export const createdResponse = z.object({ id: uuid });

/** Path parameters that are one id. */
export const idPath = z.object({ id: uuid });

/** How an audited action went: stored as text, written only from \`outcomes\`. */
export const outcome = z
  .string()
  .meta({ description: `one of ${outcomes.join(", ")}`, examples: ["refused"] });

const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

export const errorBody = z
  .object({
    // Strict: a detail an error comes to carry is documented here, or the contract tests fail.
    error: z.object({
      code: z.enum(errorCodes).meta({ description: "stable and machine-readable" }),
      message: z.string().meta({
        description: "for people",
        examples: ["Sold out: every unit of this drop has been claimed"],
      }),
      field: z.string().optional().meta({ description: "invalid_input: the offending field" }),
      reason: z
        .string()
        .optional()
        .meta({ description: "the exact rule, e.g. not_eligible:region" }),
      retryAfter: z.number().int().optional().meta({
        description: "rate_limited, unavailable: seconds to wait (also the Retry-After header)",
      }),
      replayed: z
        .boolean()
        .optional()
        .meta({ description: "a claim's refusal given again for a repeated Idempotency-Key" }),
      fields: z
        .array(z.string())
        .optional()
        .meta({ description: "drop_started: the fields that can no longer change" }),
      allocated: z
        .number()
        .int()
        .optional()
        .meta({ description: "a prize's quantity: the units its drops already hold" }),
      unusedCodes: z
        .number()
        .int()
        .optional()
        .meta({ description: "gift_codes_exhausted: codes left in the prize's pool" }),
      availableUnits: z
        .number()
        .int()
        .optional()
        .meta({ description: "gift_codes_exhausted: returned units waiting for a code" }),
      reversedAt: dateTime
        .nullable()
        .optional()
        .meta({ description: "already_reversed: when it was reversed" }),
      nextAt: dateTime
        .optional()
        .meta({ description: "already_claimed: when the next free Sweeps Coins may be claimed" }),
      redemptionId: z
        .uuid()
        .optional()
        .meta({ description: "limit_reached: the caller's newest redemption of the drop" }),
      requestId: z.string().optional().meta({
        description: "internal: the id of the failed request, as its X-Request-Id header, to quote",
      }),
    }),
  })
  .meta({
    id: "Error",
    description: "Every error: a stable code, words for people, and details some codes carry.",
  });
