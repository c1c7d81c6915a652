import { z } from "zod";
import { accountChangeSchema, accountSearchSchema } from "@/lib/admin/model";
import { claimAttemptResponse } from "./claims";
import { dateTime, idPath, type Resource, role, tier, uuid } from "./wire";

export const accountResponse = z
  .object({
    id: uuid,
    email: z.string(),
    displayName: z.string(),
    role,
    region: z
      .string()
      .nullable()
      .meta({ examples: ["US"] }),
    emailVerified: z.boolean(),
    flagged: z.boolean(),
    suspended: z.boolean(),
    createdAt: dateTime,
  })
  .meta({ id: "Account" });

export const accountDetailResponse = accountResponse
  .extend({
    twoFactor: z.boolean(),
    loyaltyTier: tier,
    flaggedAt: dateTime.nullable(),
    flaggedReason: z.string().nullable(),
    suspendedAt: dateTime.nullable(),
    suspendedReason: z.string().nullable(),
    sessionVersion: z.number().int(),
    linkedAccounts: z
      .array(accountResponse)
      .meta({ description: "accounts of the same multi-account group" }),
    recentAttempts: z.array(claimAttemptResponse),
  })
  .meta({ id: "AccountDetail" });

export const accountsPageResponse = z.object({
  accounts: z.array(accountResponse),
  nextAfter: z.string().nullable().meta({ description: "after of the next page" }),
});

export const adminAccounts: Resource = {
  name: "Admin: accounts",
  description: "Finding accounts; changing role, flag and suspension.",
  paths: {
    "/api/v1/admin/accounts": {
      get: {
        summary: "Search accounts, in email order",
        access: "admin",
        query: accountSearchSchema,
        replies: {
          200: {
            description: "A page; nextAfter continues it",
            json: accountsPageResponse,
          },
        },
      },
    },
    "/api/v1/admin/accounts/{id}": {
      get: {
        summary: "One account with its linked accounts and recent claim attempts",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: accountDetailResponse } },
        errors: { not_found: "no such account" },
      },
      patch: {
        summary: "Change an account's role, flag or suspension (audited with before/after)",
        description:
          "Flagging needs flaggedReason and suspending needs suspendedReason. Suspending ends the account's sessions and revokes its API tokens (unsuspending brings none back); while suspended it cannot sign in, get a token or use any session.",
        access: "admin",
        path: idPath,
        body: accountChangeSchema,
        replies: { 200: { description: "OK", json: accountDetailResponse } },
        errors: {
          not_found: "no such account",
          own_account: "an admin cannot change their own role or suspend themselves",
          last_admin: "the last admin not suspended stays one",
        },
      },
    },
  },
};
