/** Account administration as the browser may see it: searches, views and changes. */
import { z } from "zod";
import type { ClaimAttempt } from "@/lib/audit/model";
import { emailSchema, passwordSchema, type Role, roles } from "@/lib/auth/model";
import type { LoyaltyTier } from "@/lib/claims/model";
import { plainText } from "@/lib/validation/storable-text";

/** Turns the "" of an empty form field or query parameter into "not given". */
const blankAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;
const yesNo = z.preprocess(
  blankAsUndefined,
  z.enum(["yes", "no"], { error: "Choose yes or no" }).optional(),
);

export const accountSearchSchema = z.object({
  q: z.preprocess(blankAsUndefined, plainText(254).optional()),
  role: z.preprocess(blankAsUndefined, z.enum(roles, { error: "Unknown role" }).optional()),
  flagged: yesNo,
  suspended: yesNo,
  /** The lower-cased email of the last account of the previous page. */
  after: z.preprocess(blankAsUndefined, plainText(254).optional()),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AccountSearch = z.infer<typeof accountSearchSchema>;

export type AccountSummary = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  region: string | null;
  emailVerified: boolean;
  flagged: boolean;
  suspended: boolean;
  createdAt: string;
};

export type AccountDetail = AccountSummary & {
  twoFactor: boolean;
  loyaltyTier: LoyaltyTier;
  flaggedAt: string | null;
  flaggedReason: string | null;
  suspendedAt: string | null;
  suspendedReason: string | null;
  sessionVersion: number;
  linkedAccounts: AccountSummary[];
  recentAttempts: ClaimAttempt[];
};

const reasonText = plainText(500);

/** One admin change to an account: a new role, a flag, a suspension (or their removal). */
export const accountChangeSchema = z
  .object({
    role: z.enum(roles, { error: "Choose player, admin or auditor" }).optional(),
    flagged: z.boolean().optional(),
    flaggedReason: reasonText.optional(),
    suspended: z.boolean().optional(),
    suspendedReason: reasonText.optional(),
  })
  .strict()
  .superRefine((change, ctx) => {
    if (change.role === undefined && change.flagged === undefined && change.suspended === undefined)
      ctx.addIssue({ code: "custom", message: "Nothing to change", path: ["role"] });
    if (change.flagged && !change.flaggedReason)
      ctx.addIssue({
        code: "custom",
        message: "Say why the account is flagged",
        path: ["flaggedReason"],
      });
    if (change.suspended && !change.suspendedReason)
      ctx.addIssue({
        code: "custom",
        message: "Say why the account is suspended",
        path: ["suspendedReason"],
      });
  });
export type AccountChange = z.infer<typeof accountChangeSchema>;

/** The sign-up rules for the address and the password. */
export const createAdminSchema = z.object({ email: emailSchema, password: passwordSchema });
