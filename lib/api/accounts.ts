import { z } from "zod";
import { signUpSchema } from "@/lib/auth/model";
import { type Resource, role, uuid } from "./wire";

export const verifyEmailBody = z.object({
  token: z.string().min(1).max(200).meta({ description: "from the verification mail's link" }),
});

export const signUpResponse = z.object({ id: uuid, email: z.string(), role });

export const accounts: Resource = {
  name: "Accounts",
  description: "Signing up and confirming an email address.",
  paths: {
    "/api/v1/accounts": {
      post: {
        summary: "Sign up",
        description:
          "Mails a verification link. An account that has not declared its region and being 18 or older, or has not confirmed its email, cannot claim.",
        access: "public",
        body: signUpSchema,
        replies: { 201: { description: "Created", json: signUpResponse } },
        errors: {
          email_taken: "an account has this email",
          rate_limited: "too many sign-ups from this address (Retry-After)",
        },
      },
    },
    "/api/v1/accounts/verify-email": {
      post: {
        summary: "Confirm an email address with the token from the verification mail",
        access: "public",
        body: verifyEmailBody,
        replies: { 204: { description: "Confirmed" } },
        errors: { invalid_link: "error.reason: unknown, used or expired" },
      },
    },
  },
};
