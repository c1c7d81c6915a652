import { z } from "zod";
import { tokenOptionsSchema } from "@/lib/auth/model";
import { dateTime, idPath, type Resource, role, uuid } from "./wire";

/** Credentials for a token, with the token's options. */
export const createTokenBody = tokenOptionsSchema.extend({
  email: z.string().max(254),
  password: z.string().max(200),
  otp: z
    .string()
    .max(40)
    .optional()
    .meta({ description: "the authenticator's current code or an unused recovery code" }),
});

export const issuedTokenResponse = z.object({
  token: z.string().meta({ description: "shown once: only its hash is kept" }),
  tokenType: z.literal("Bearer"),
  id: uuid,
  name: z.string(),
  expiresAt: dateTime,
  role,
});

export const tokenResponse = z
  .object({
    id: uuid,
    name: z.string(),
    createdAt: dateTime,
    expiresAt: dateTime,
    lastUsedAt: dateTime.nullable(),
    revokedAt: dateTime.nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .meta({ id: "ApiToken", description: "An API token as its owner sees it (never the token)" });

export const tokensResponse = z.object({ tokens: z.array(tokenResponse) });

export const tokens: Resource = {
  name: "Tokens",
  description:
    "API tokens: send one as Authorization: Bearer <token>. Admins and auditors need two-factor on.",
  paths: {
    "/api/v1/tokens": {
      post: {
        summary: "Exchange email and password (and the two-factor code, if on) for an API token",
        description:
          "The token is shown once and only its hash is kept. Five failures in a row lock the account for 30 s, doubling up to an hour. A suspended account gets no token (account_suspended, said only after the right password and code).",
        access: "public",
        body: createTokenBody,
        replies: { 201: { description: "Created", json: issuedTokenResponse } },
        errors: {
          invalid_credentials: "wrong email or password",
          otp_required: "two-factor is on: send otp",
          otp_invalid: "the code is wrong or used",
          account_suspended: "an admin suspended the account",
          locked: "too many failures in a row (Retry-After)",
          rate_limited: "too many attempts (Retry-After)",
        },
      },
      get: {
        summary: "The caller's API tokens (never the tokens themselves)",
        access: "account",
        replies: {
          200: { description: "OK", json: tokensResponse },
        },
      },
    },
    "/api/v1/tokens/{id}": {
      delete: {
        summary: "Revoke one of the caller's API tokens",
        access: "account",
        path: idPath,
        replies: { 204: { description: "Revoked (or already revoked)" } },
        errors: { not_found: "no such token among the caller's" },
      },
    },
  },
};
