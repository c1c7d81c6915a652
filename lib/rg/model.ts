/**
 * Responsible gaming as the browser may see it: limits a player sets on purchases and wagers,
 * cool-offs and self-exclusions, and the session-time reminder.
 */
import { z } from "zod";
import { parseCoins } from "@/lib/wallet/model";

/** Purchases are limited in US cents; wagers in the minor units of their currency. */
export const rgLimitKinds = ["purchase", "wager_gc", "wager_sc"] as const;
export type RgLimitKind = (typeof rgLimitKinds)[number];

export const rgLimitKindLabels: Record<RgLimitKind, string> = {
  purchase: "Purchases (USD)",
  wager_gc: "Gold Coins wagered",
  wager_sc: "Sweeps Coins wagered",
};

/** Rolling windows: a day is the last 24 hours, a week the last 7 days, a month the last 30. */
export const rgPeriods = ["day", "week", "month"] as const;
export type RgPeriod = (typeof rgPeriods)[number];

export const rgPeriodLabels: Record<RgPeriod, string> = {
  day: "Daily",
  week: "Weekly",
  month: "Monthly",
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const RG_PERIOD_MS: Record<RgPeriod, number> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30 * DAY_MS,
};

/** A raise or removal of a limit waits this long; a lowering applies at once. */
export const RG_RAISE_DELAY_MS = DAY_MS;

export const rgExclusionKinds = ["cool_off", "self_exclusion"] as const;
export type RgExclusionKind = (typeof rgExclusionKinds)[number];

export const rgExclusionLabels: Record<RgExclusionKind, string> = {
  cool_off: "Cool-off",
  self_exclusion: "Self-exclusion",
};

/** A cool-off lasts whole days, from one to six weeks' worth. */
export const COOL_OFF_MIN_DAYS = 1;
export const COOL_OFF_MAX_DAYS = 42;

/** The self-exclusion terms offered; "permanent" never ends. */
export const selfExclusionTerms = ["6_months", "1_year", "5_years", "permanent"] as const;
export type SelfExclusionTerm = (typeof selfExclusionTerms)[number];

export const selfExclusionTermLabels: Record<SelfExclusionTerm, string> = {
  "6_months": "6 months",
  "1_year": "1 year",
  "5_years": "5 years",
  permanent: "Permanently",
};

/** Months of a self-exclusion term (null: permanent). */
export const SELF_EXCLUSION_MONTHS: Record<SelfExclusionTerm, number | null> = {
  "6_months": 6,
  "1_year": 12,
  "5_years": 60,
  permanent: null,
};

/** When an exclusion starting at `start` ends (null: never), in UTC calendar months for terms. */
export function exclusionEnd(start: Date, input: ExclusionInput): Date | null {
  if (input.kind === "cool_off") return new Date(start.getTime() + input.days * DAY_MS);
  const months = SELF_EXCLUSION_MONTHS[input.term];
  if (months === null) return null;
  const end = new Date(start);
  end.setUTCMonth(end.getUTCMonth() + months);
  return end;
}

/** Session reminders the player may choose (minutes of play). */
export const SESSION_REMINDER_CHOICES = [15, 30, 45, 60, 90, 120] as const;

/** A limit's amount on the wire: "50.00", or null for no limit. */
const limitAmount = z
  .string({ error: 'The limit is a string such as "50.00", or null for none' })
  .transform((text, ctx) => {
    const minor = parseCoins(text.trim());
    if (minor === null || minor === 0) {
      ctx.addIssue({
        code: "custom",
        message: 'The limit is more than zero, with at most two decimals, such as "50.00"',
      });
      return z.NEVER;
    }
    return minor;
  })
  .nullable();

export const limitChangeSchema = z
  .object({
    kind: z.enum(rgLimitKinds, { error: "kind is purchase, wager_gc or wager_sc" }),
    period: z.enum(rgPeriods, { error: "period is day, week or month" }),
    amount: limitAmount,
  })
  .strict();
export type LimitChange = z.infer<typeof limitChangeSchema>;

const reminderMinutes = z
  .number({ error: "The reminder is a number of minutes, or null for none" })
  .int()
  .refine(
    (m) => (SESSION_REMINDER_CHOICES as readonly number[]).includes(m),
    `The reminder is one of ${SESSION_REMINDER_CHOICES.join(", ")} minutes`,
  )
  .nullable();

/** What PUT /api/v1/account/limits takes: limits to change, the session reminder, or both. */
export const rgSettingsSchema = z
  .object({
    limits: z.array(limitChangeSchema).max(9).optional(),
    sessionReminderMinutes: reminderMinutes.optional(),
  })
  .strict()
  .refine((s) => s.limits !== undefined || s.sessionReminderMinutes !== undefined, {
    message: "Send limits, sessionReminderMinutes or both",
  });
export type RgSettingsInput = z.infer<typeof rgSettingsSchema>;

export const exclusionSchema = z.discriminatedUnion(
  "kind",
  [
    z
      .object({
        kind: z.literal("cool_off"),
        days: z
          .number({ error: "days is a whole number of days" })
          .int("days is a whole number of days")
          .min(COOL_OFF_MIN_DAYS, "A cool-off lasts at least one day")
          .max(COOL_OFF_MAX_DAYS, "A cool-off lasts at most six weeks (42 days)"),
      })
      .strict(),
    z
      .object({
        kind: z.literal("self_exclusion"),
        term: z.enum(selfExclusionTerms, {
          error: "term is 6_months, 1_year, 5_years or permanent",
        }),
      })
      .strict(),
  ],
  { error: "kind is cool_off or self_exclusion" },
);
export type ExclusionInput = z.infer<typeof exclusionSchema>;

/** One limit as the player sees it; amounts as "50.00" strings (null: no limit). */
export type LimitView = {
  kind: RgLimitKind;
  period: RgPeriod;
  /** The limit in force now. */
  amount: string | null;
  /** A raise or removal waiting for its 24 hours; null when none waits. */
  pending: { amount: string | null; from: string } | null;
  /** What the window holds so far. */
  used: string;
};

export type ExclusionView = {
  kind: RgExclusionKind;
  startsAt: string;
  /** null: permanent. */
  endsAt: string | null;
};

export type ResponsibleGamingView = {
  limits: LimitView[];
  exclusion: ExclusionView | null;
  sessionReminderMinutes: number | null;
};

/** The sentence a refused player reads: which exclusion, and until when. */
export function exclusionMessage(e: { kind: RgExclusionKind; endsAt: string | Date | null }) {
  const what = e.kind === "cool_off" ? "a cool-off" : "a self-exclusion";
  if (e.endsAt === null) return `You are in ${what} with no end date`;
  const until = new Date(e.endsAt).toISOString().replace("T", " ").slice(0, 16);
  return `You are in ${what} until ${until} UTC`;
}
