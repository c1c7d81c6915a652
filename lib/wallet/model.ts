/**
 * Coins as the browser may see them. Amounts are integers of the smallest unit (0.01) in the
 * database and in code, and decimal strings with two places on the wire ("12.50"): never floats.
 */
import { z } from "zod";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";

/** Gold Coins are play money; Sweeps Coins are won or granted free and redeemable for prizes. */
export const currencies = ["GC", "SC"] as const;
export type Currency = (typeof currencies)[number];

export const currencyLabels: Record<Currency, string> = {
  GC: "Gold Coins",
  SC: "Sweeps Coins",
};

/**
 * The accounts of the double-entry journal. Only player accounts are kept non-negative (by the
 * database); the others are the counterparties and may go below zero: purchases goes negative
 * by the GC sold, promotions by the SC given away.
 */
export const walletAccountKinds = [
  "player",
  "house",
  "promotions",
  "prize_liability",
  "purchases",
] as const;
export type WalletAccountKind = (typeof walletAccountKinds)[number];

/** What a journal transaction records. */
export const walletTransactionKinds = [
  "purchase",
  "daily_bonus",
  "mail_in",
  "grant",
  "round",
  "redemption",
  "redemption_refund",
  "round_prize_coins",
] as const;
export type WalletTransactionKind = (typeof walletTransactionKinds)[number];

/** The largest amount any field takes, in minor units: 10^13 coins fits a bigint and a double. */
export const MAX_MINOR = 1_000_000_000_000_000;

const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,14})(?:\.([0-9]{1,2}))?$/;

/** "12.5" or "12.50" → 1250; null for anything else (signs, exponents, three decimals, spaces). */
export function parseCoins(text: string): number | null {
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? "").padEnd(2, "0"));
  const minor = whole * 100 + cents;
  return minor <= MAX_MINOR ? minor : null;
}

/** 1250 → "12.50"; negative amounts keep their sign ("-1.00"). */
export function formatCoins(minor: number | bigint): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** A positive amount on the wire: a string such as "1.00", at most two decimals. */
export const coinAmount = z
  .string({ error: 'The amount is a string such as "1.00"' })
  .transform((text, ctx) => {
    const minor = parseCoins(text.trim());
    if (minor === null) {
      ctx.addIssue({
        code: "custom",
        message: 'The amount is a decimal string with at most two places, such as "1.00"',
      });
      return z.NEVER;
    }
    if (minor === 0) {
      ctx.addIssue({ code: "custom", message: "The amount must be more than zero" });
      return z.NEVER;
    }
    return minor;
  });

export const currencySchema = z.enum(currencies, { error: "Currency is GC or SC" });

/** What GET /api/v1/wallet answers. */
export type WalletView = {
  balances: Record<Currency, string>;
  /** The part of the SC balance that has been played through once and may be redeemed. */
  redeemableSC: string;
};

/**
 * How a wager moves the SC still to be played through: a stake plays through up to its amount.
 * (Free SC must be wagered once before it is redeemable; winnings are redeemable at once.)
 */
export function playthroughOfWager(playthroughDue: number, stake: number): number {
  return -Math.min(playthroughDue, stake);
}

/** POST /api/v1/wallet/mail-in, and the wallet page's form. */
export const mailInRedeemSchema = z.object({
  code: z
    .string({ error: "Enter the code" })
    .trim()
    .min(1, "Enter the code")
    .max(64, "A mail-in code is shorter than that"),
});

/** An admin's grant: who, how much of what, and why (required, kept with the transaction). */
export const grantSchema = z.object({
  userId: z.uuid({ error: "userId is a player's id" }),
  currency: currencySchema,
  amount: coinAmount,
  reason: z
    .string({ error: "Give a reason" })
    .trim()
    .min(1, "Give a reason")
    .max(500, "At most 500 characters")
    .refine(withoutNul, NUL_MESSAGE),
});

/** An admin issues `count` mail-in codes worth `amount` SC each. */
export const mailInIssueSchema = z.object({
  count: z.coerce
    .number({ error: "How many codes?" })
    .int("A whole number of codes")
    .min(1, "At least one code")
    .max(1000, "At most 1000 codes at a time"),
  amount: coinAmount,
  note: z
    .string({ error: "Add a note (what the codes are for)" })
    .trim()
    .min(1, "Add a note (what the codes are for)")
    .max(200, "At most 200 characters")
    .refine(withoutNul, NUL_MESSAGE),
});

export const transactionKindLabels: Record<WalletTransactionKind, string> = {
  purchase: "Purchase",
  daily_bonus: "Daily bonus",
  mail_in: "Mail-in code",
  grant: "Grant",
  round: "Game round",
  redemption: "Redemption",
  redemption_refund: "Redemption refund",
  round_prize_coins: "Round prize paid in coins",
};

/** A calendar day: JavaScript reads 2026-02-30 as March 2; PostgreSQL refuses it (and year 0). */
const day = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, "A date such as 2026-01-31")
  .refine((text) => {
    const time = Date.parse(`${text}T00:00:00Z`);
    return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text);
  }, "Not a date");

/** The statement's filters, from a query string or the page's filter form ("" means none). */
export const statementFilterSchema = z.object({
  currency: z.preprocess((v) => v || undefined, currencySchema.optional()),
  kind: z.preprocess(
    (v) => v || undefined,
    z.enum(walletTransactionKinds, { error: "Not a kind of transaction" }).optional(),
  ),
  from: z.preprocess((v) => v || undefined, day.optional()),
  to: z.preprocess((v) => v || undefined, day.optional()),
});
export type StatementFilter = z.infer<typeof statementFilterSchema>;

export const statementPageSchema = z.object({
  cursor: z.preprocess(
    (v) => v || undefined,
    z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  ),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type StatementPage = z.infer<typeof statementPageSchema>;

/** One posting on a player's statement. */
export type StatementLine = {
  id: number;
  at: Date;
  kind: WalletTransactionKind;
  description: string;
  currency: Currency;
  /** Minor units, signed. */
  amount: number;
  /** The account's balance right after this posting. */
  balanceAfter: number;
};

/** A statement page's filters and page from its search params; a bad value is left out. */
export function statementQueryOf(search: Record<string, string | string[] | undefined>): {
  filter: StatementFilter;
  page: StatementPage;
} {
  const flat = Object.fromEntries(
    Object.entries(search).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  );
  const filter = statementFilterSchema.safeParse(flat);
  return {
    filter: filter.success ? filter.data : {},
    page: statementPageSchema.catch({ limit: 50 }).parse(flat),
  };
}
