/** Accounts as the browser may see them: roles, sign-up and profile forms, tokens, two-factor. */
import { z } from "zod";
import { countryCodeSchema } from "@/lib/geo/model";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

export const roles = ["player", "admin", "auditor"] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  player: "Player",
  admin: "Admin",
  auditor: "Auditor",
};

export const emailTokenPurposes = ["verify_email", "reset_password"] as const;
export type EmailTokenPurpose = (typeof emailTokenPurposes)[number];

/** Why a link no longer works; "unknown" also covers a token of another purpose. */
export type EmailTokenProblem = "unknown" | "used" | "expired";

export type EmailTokenState =
  | { ok: true; userId: string }
  | { ok: false; problem: EmailTokenProblem };

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ error: "Enter a valid email address" }));

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(10, "Password must be at least 10 characters")
  .max(200, "Password must be at most 200 characters");

/** The longest display name: the sign-up form, the account page and the API all hold to it. */
export const DISPLAY_NAME_MAX = 60;

/**
 * Control characters (a newline, a NUL), line and paragraph separators, unpaired surrogates and
 * the bidirectional overrides and isolates: none belongs in a name, and the last would let a name
 * shown in the header, a mail or the audit trail read backwards.
 */
const NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u;

export const displayNameSchema = z
  .string({ error: "Enter a display name" })
  .trim()
  .min(1, "Enter a display name")
  .max(DISPLAY_NAME_MAX, `At most ${DISPLAY_NAME_MAX} characters`)
  .refine((name) => !NAME_FORBIDDEN.test(name), "Use letters, digits, spaces and punctuation only");

export const signUpSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  // Optional so that API clients sending only {email, password} keep working; such an account
  // cannot claim until it has declared both.
  region: countryCodeSchema.optional(),
  adult: z
    .literal(true, { error: "Only players 18 or older may sign up: send adult: true" })
    .optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** The sign-up page asks every player for both declarations. */
export const signUpFormSchema = signUpSchema.extend({
  region: z.string({ error: "Choose your country of residence" }).pipe(countryCodeSchema),
  adult: z.literal(true, { error: "Confirm that you are 18 or older" }),
});

export type PublicUser = { id: string; email: string; role: Role; displayName: string };

export type SignInReason =
  | "invalid_credentials"
  | "locked"
  | "rate_limited"
  | "otp_required"
  | "otp_invalid"
  | "account_suspended";

/** What the sign-in form asks for after a refusal: the authentication code too, or not. */
export type SignInStep = { otpRequired: boolean };

export const forgotPasswordSchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z
  .object({
    token: z.string().max(200),
    password: passwordSchema,
    confirm: z.string({ error: "Repeat the new password" }),
  })
  .refine((input) => input.password === input.confirm, {
    path: ["confirm"],
    error: "The two passwords are not the same",
  });

/** What a player declares about themselves; each is set once (the country decides eligibility). */
export const declarationSchema = z.object({
  region: z
    .string({ error: "Choose your country of residence" })
    .pipe(countryCodeSchema)
    .optional(),
  adult: z.literal(true, { error: "Confirm that you are 18 or older" }).optional(),
});
export type Declaration = z.infer<typeof declarationSchema>;

export type Profile = { region: string | null; adultDeclaredAt: Date | null };

export const TOKEN_TTL_DAYS = 30;
/** Choices on the account page; the API takes any whole number of days from 1 to 365. */
export const TOKEN_TTL_CHOICES = [7, 30, 90] as const;

export const tokenOptionsSchema = z.object({
  name: z.string().trim().min(1).max(60).refine(withoutNul, NUL_MESSAGE).optional(),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});
export type TokenOptions = z.infer<typeof tokenOptionsSchema>;

export type IssuedToken = { id: string; token: string; name: string; expiresAt: Date };
/** A new token as the account page shows it, this once. */
export type ShownToken = Omit<IssuedToken, "id" | "expiresAt"> & { expiresAt: string };

export type TokenSummary = {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: "active" | "expired" | "revoked";
};

/** Two-factor as the account page shows it; `pending` is a secret made but not yet confirmed. */
export type TwoFactorStatus = {
  enabled: boolean;
  enabledAt: Date | null;
  pending?: { secret: string; uri: string };
  recoveryCodesLeft: number;
};
