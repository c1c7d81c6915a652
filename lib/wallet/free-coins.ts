import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { mailInCodes } from "@/db/schema";
import { type AuditInput, type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { refuseIfExcluded } from "@/lib/rg/purchase-checks";
import { type Posting, postTransactions } from "./journal";
import { type Currency, formatCoins, MAX_MINOR } from "./model";

/**
 * Coins given, not bought: the daily free Sweeps Coins, mail-in codes (the no-purchase-necessary
 * route sweepstakes rules require) and admin grants. Free SC must be played through once before
 * it is redeemable, so each posting adds its amount to the player's playthrough.
 */

/** Where a request came from, for its audit event. */
export type AuditContext = RequestContext & Pick<AuditInput, "tokenId">;

/** A credit from promotions to the player; SC adds as much to play through. */
export function promotionPostings(userId: string, currency: Currency, amount: number): Posting[] {
  return [
    {
      account: { player: userId, currency },
      amount,
      playthrough: currency === "SC" ? amount : 0,
    },
    { account: { system: "promotions", currency }, amount: -amount },
  ];
}

export type SweepsStanding = { region: string | null; sweepsOpen: boolean };

/**
 * The player's declared region and whether Sweeps Coins are open to them: a region declared and
 * on no excluded list (sweeps-only or not), as for SC play (lib/rounds/round-checks.ts). With
 * `lock`, the player's row is locked, so that concurrent requests of one player queue.
 */
export async function readSweepsStanding(
  db: DbOrTx,
  userId: string,
  { lock }: { lock: boolean },
): Promise<SweepsStanding> {
  // NO KEY UPDATE: a round batch holding wallet locks takes KEY SHARE on its players (foreign
  // keys); a FOR UPDATE here, taken before the wallet locks, could deadlock with it.
  const [player] = await db.execute<{ region: string | null; sweeps_open: boolean }>(sql`
    select u.region, (u.region is not null and not exists (
      select 1 from excluded_regions r where r.code = upper(u.region)
    )) as sweeps_open
    from users u where u.id = ${userId} and u.role = 'player'
    ${lock ? sql`for no key update` : sql``}`);
  if (!player) throw new AppError("not_found", "No such player");
  return { region: player.region, sweepsOpen: player.sweeps_open };
}

/** Why Sweeps Coins are refused, told to the player or to an admin acting for them. */
export function sweepsClosedRefusal(
  region: string | null,
  to: "player" | "admin" = "player",
): AppError {
  const messages = {
    player: region
      ? "Sweeps Coins are not available in your region"
      : "Declare your region on your account page first: Sweeps Coins are only for regions where they are open",
    admin: region
      ? "Sweeps Coins are not available in the player's region: grant Gold Coins instead"
      : "The player has not declared a region: Sweeps Coins go only to players in a region open to them",
  };
  return new AppError("not_eligible", messages[to], { reason: "not_eligible:region" });
}

/**
 * The player's declared region, once they may receive Sweeps Coins: a region open to SC, no
 * cool-off or self-exclusion running. Locks the player's row.
 */
async function sweepsPlayer(tx: Tx, userId: string, now: Date): Promise<string | null> {
  const { region, sweepsOpen } = await readSweepsStanding(tx, userId, { lock: true });
  if (!sweepsOpen) throw sweepsClosedRefusal(region);
  await refuseIfExcluded(tx, userId, now);
  return region;
}

/** The UTC day of `now`, and when the next one starts. */
export function bonusDay(now: Date): { day: string; nextAt: Date } {
  const day = now.toISOString().slice(0, 10);
  return { day, nextAt: new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000) };
}

export type DailyBonus = { amount: number; day: string; nextAt: Date };

/** Today's free SC (once per UTC day per player); `already_claimed` the second time. */
export async function claimDailyBonus(
  db: Db,
  input: { userId: string; amount: number; now?: Date; context?: AuditContext },
): Promise<DailyBonus> {
  const now = input.now ?? new Date();
  const { day, nextAt } = bonusDay(now);
  return db.transaction(async (tx) => {
    const region = await sweepsPlayer(tx, input.userId, now);
    const written = await postTransactions(tx, [
      {
        kind: "daily_bonus",
        idempotencyKey: `daily:${input.userId}:${day}`,
        userId: input.userId,
        region,
        postings: promotionPostings(input.userId, "SC", input.amount),
      },
    ]);
    if (written.size === 0) {
      throw new AppError(
        "already_claimed",
        "You have claimed today's free Sweeps Coins: come back tomorrow",
        { nextAt: nextAt.toISOString() },
      );
    }
    await recordEvent(tx, {
      actorId: input.userId,
      action: "wallet.daily_bonus",
      subject: input.userId,
      outcome: "ok",
      data: { amount: formatCoins(input.amount), currency: "SC", day },
      ...input.context,
    });
    return { amount: input.amount, day, nextAt };
  });
}

/** Unambiguous letters and digits (no 0/O, 1/I/L): 16 of them carry 80 bits. */
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH = 16;

/** What a player may type: case, spaces and dashes do not matter. */
export function normaliseMailInCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

function hashMailInCode(code: string): Buffer {
  return createHash("sha256").update(normaliseMailInCode(code)).digest();
}

function newMailInCode(): string {
  const chars: string[] = [];
  // Rejection sampling keeps every character equally likely (256 is no multiple of 31).
  while (chars.length < CODE_LENGTH) {
    for (const byte of randomBytes(CODE_LENGTH * 2)) {
      if (byte < 248 && chars.length < CODE_LENGTH) {
        chars.push(CODE_ALPHABET[byte % CODE_ALPHABET.length] as string);
      }
    }
  }
  return `MAIL-${chars.join("").match(/.{4}/g)?.join("-")}`;
}

export const MAX_MAIL_IN_CODES = 1000;

/**
 * N codes worth `amount` SC each. The codes are returned once, here: only their SHA-256 is
 * kept, so a database reader cannot redeem them.
 */
export async function issueMailInCodes(
  db: Db,
  input: {
    adminId: string;
    count: number;
    amount: number;
    note: string;
    context?: AuditContext;
  },
): Promise<{ codes: string[]; amount: number }> {
  if (!Number.isSafeInteger(input.count) || input.count < 1 || input.count > MAX_MAIL_IN_CODES) {
    throw new AppError("invalid_input", `Issue 1 to ${MAX_MAIL_IN_CODES} codes at a time`, {
      field: "count",
    });
  }
  if (!Number.isSafeInteger(input.amount) || input.amount < 1 || input.amount > MAX_MINOR) {
    throw new AppError("invalid_input", "The amount must be more than zero", { field: "amount" });
  }
  const codes = Array.from({ length: input.count }, newMailInCode);
  await db.transaction(async (tx) => {
    await tx.insert(mailInCodes).values(
      codes.map((code) => ({
        codeHash: hashMailInCode(code),
        amount: input.amount,
        createdBy: input.adminId,
        note: input.note,
      })),
    );
    await recordEvent(tx, {
      actorId: input.adminId,
      action: "wallet.mail_in_codes_issued",
      subject: null,
      outcome: "ok",
      reason: input.note,
      data: { count: input.count, amount: formatCoins(input.amount), currency: "SC" },
      ...input.context,
    });
  });
  return { codes, amount: input.amount };
}

/** Credits a mail-in code's SC to the player, once for all players. */
export async function redeemMailInCode(
  db: Db,
  input: { userId: string; code: string; now?: Date; context?: AuditContext },
): Promise<{ amount: number }> {
  const now = input.now ?? new Date();
  const hash = hashMailInCode(input.code);
  return db.transaction(async (tx) => {
    const region = await sweepsPlayer(tx, input.userId, now);
    const [taken] = await tx.execute<{ id: string; amount: string }>(sql`
      update mail_in_codes set redeemed_by = ${input.userId}, redeemed_at = ${now.toISOString()}::timestamptz
      where code_hash = ${hash} and redeemed_by is null
      returning id, amount`);
    if (!taken) {
      const [known] = await tx.execute<{ id: string }>(
        sql`select id from mail_in_codes where code_hash = ${hash}`,
      );
      throw known
        ? new AppError("code_used", "This code has been redeemed already")
        : new AppError("invalid_code", "No such mail-in code: check it and try again");
    }
    const amount = Number(taken.amount);
    await postTransactions(tx, [
      {
        kind: "mail_in",
        idempotencyKey: `mailin:${taken.id}`,
        userId: input.userId,
        region,
        subjectId: taken.id,
        postings: promotionPostings(input.userId, "SC", amount),
      },
    ]);
    await recordEvent(tx, {
      actorId: input.userId,
      action: "wallet.mail_in_redeemed",
      subject: taken.id,
      outcome: "ok",
      data: { amount: formatCoins(amount), currency: "SC" },
      ...input.context,
    });
    return { amount };
  });
}

export type GrantInput = {
  adminId: string;
  userId: string;
  currency: Currency;
  amount: number;
  reason: string;
  /** The admin's Idempotency-Key: the same key grants once. */
  idempotencyKey: string;
  context?: AuditContext;
};

/**
 * An admin's grant of coins from promotions, with a reason, audited. Returns whether it moved
 * coins now (false: the key granted already). SC goes only to a player whose region is open to
 * it, as every free SC does (`not_eligible:region` otherwise); GC to anyone.
 */
export async function grantCoins(
  db: Db,
  input: GrantInput,
): Promise<{ transactionId: string; replayed: boolean }> {
  if (input.reason.trim() === "") {
    throw new AppError("invalid_input", "Give a reason for the grant", { field: "reason" });
  }
  return db.transaction(async (tx) => {
    const player = await readSweepsStanding(tx, input.userId, { lock: true });
    if (input.currency === "SC" && !player.sweepsOpen) {
      throw sweepsClosedRefusal(player.region, "admin");
    }
    const key = `grant:${input.adminId}:${input.idempotencyKey}`;
    const written = await postTransactions(tx, [
      {
        kind: "grant",
        idempotencyKey: key,
        userId: input.userId,
        region: player.region,
        actorId: input.adminId,
        reason: input.reason.trim(),
        postings: promotionPostings(input.userId, input.currency, input.amount),
      },
    ]);
    const transactionId = written.get(key);
    if (!transactionId) {
      const [earlier] = await tx.execute<{ id: string; currency: Currency; amount: string }>(sql`
        select t.id, p.currency, p.amount from wallet_transactions t
        join wallet_postings p on p.transaction_id = t.id
        join wallet_accounts a on a.id = p.account_id and a.kind = 'player'
        where t.idempotency_key = ${key} and t.user_id = ${input.userId}`);
      if (earlier?.currency !== input.currency || Number(earlier.amount) !== input.amount) {
        throw new AppError("idempotency_mismatch", "This key was used for another grant");
      }
      return { transactionId: earlier.id, replayed: true };
    }
    await recordEvent(tx, {
      actorId: input.adminId,
      action: "wallet.grant",
      subject: input.userId,
      outcome: "ok",
      reason: input.reason.trim(),
      data: { amount: formatCoins(input.amount), currency: input.currency, transactionId },
      ...input.context,
    });
    return { transactionId, replayed: false };
  });
}
