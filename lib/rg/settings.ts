import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rgExclusions, rgLimits, users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { formatCoins } from "@/lib/wallet/model";
import {
  type ExclusionInput,
  type ExclusionView,
  exclusionEnd,
  exclusionMessage,
  type LimitChange,
  type LimitView,
  type ResponsibleGamingView,
  RG_RAISE_DELAY_MS,
  type RgSettingsInput,
  rgLimitKinds,
  rgPeriods,
} from "./model";
import { activeRestrictions, effectiveLimit, type LimitRow, limitUsage } from "./restrictions";

/** The player changing their own settings, for the audit trail. */
export type RgActor = { userId: string; tokenId?: string | null } & RequestContext;

const money = (minor: number | null) => (minor === null ? null : formatCoins(minor));

function toExclusionView(e: {
  kind: ExclusionView["kind"];
  startsAt: Date;
  endsAt: Date | null;
}): ExclusionView {
  return {
    kind: e.kind,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt?.toISOString() ?? null,
  };
}

/** Every limit (set or not), the exclusion in force and the session reminder, at `now`. */
export async function getResponsibleGaming(
  db: DbOrTx,
  userId: string,
  now: Date,
): Promise<ResponsibleGamingView> {
  const rows = await db.select().from(rgLimits).where(eq(rgLimits.userId, userId));
  const [user] = await db
    .select({ minutes: users.sessionReminderMinutes })
    .from(users)
    .where(eq(users.id, userId));
  const { exclusion } = (await activeRestrictions(db, [userId], now)).get(userId) ?? {};
  const usage = await limitUsage(db, userId, now);
  const limits: LimitView[] = rgLimitKinds.flatMap((kind) =>
    rgPeriods.map((period) => {
      const row = rows.find((r) => r.kind === kind && r.period === period);
      const waiting = row?.pendingFrom && row.pendingFrom.getTime() > now.getTime();
      return {
        kind,
        period,
        amount: money(row ? effectiveLimit(row, now) : null),
        pending:
          row && waiting && row.pendingFrom
            ? { amount: money(row.pendingAmount), from: row.pendingFrom.toISOString() }
            : null,
        used: formatCoins(usage[kind][period]),
      };
    }),
  );
  return {
    limits,
    exclusion: exclusion ? toExclusionView(exclusion) : null,
    sessionReminderMinutes: user?.minutes ?? null,
  };
}

/** A limit row after applying a change at `now`: lower at once, raise or remove in 24 hours. */
export function nextLimit(row: LimitRow, wanted: number | null, now: Date): LimitRow {
  const current = effectiveLimit(row, now);
  const settled: LimitRow = { amount: current, pendingAmount: null, pendingFrom: null };
  if (wanted === current) return settled;
  if (wanted !== null && (current === null || wanted < current)) {
    return { ...settled, amount: wanted };
  }
  // The same raise asked again keeps its first wait: asking twice does not restart the clock.
  const waiting = row.pendingFrom !== null && row.pendingFrom.getTime() > now.getTime();
  if (waiting && row.pendingAmount === wanted) return row;
  return {
    ...settled,
    pendingAmount: wanted,
    pendingFrom: new Date(now.getTime() + RG_RAISE_DELAY_MS),
  };
}

/**
 * Sets limits: a lower one applies at once, a higher one (or a removal) after 24 hours. Each
 * changed limit is audited with before and after. Returns the new settings.
 */
export async function setLimits(
  db: DbOrTx,
  changes: readonly LimitChange[],
  actor: RgActor,
  now: Date,
): Promise<ResponsibleGamingView> {
  await db.transaction(async (tx) => {
    for (const change of changes) {
      const key = { userId: actor.userId, kind: change.kind, period: change.period };
      await tx.insert(rgLimits).values(key).onConflictDoNothing();
      const [row] = await tx
        .select()
        .from(rgLimits)
        .where(
          and(
            eq(rgLimits.userId, key.userId),
            eq(rgLimits.kind, key.kind),
            eq(rgLimits.period, key.period),
          ),
        )
        .for("update");
      if (!row) throw new Error("rg_limits row vanished under its lock");
      const next = nextLimit(row, change.amount, now);
      const same =
        next.amount === row.amount &&
        next.pendingAmount === row.pendingAmount &&
        next.pendingFrom?.getTime() === row.pendingFrom?.getTime();
      if (same) continue;
      await tx
        .update(rgLimits)
        .set({ ...next, updatedAt: now })
        .where(
          and(
            eq(rgLimits.userId, key.userId),
            eq(rgLimits.kind, key.kind),
            eq(rgLimits.period, key.period),
          ),
        );
      const shown = (r: LimitRow) => ({
        amount: money(r.amount),
        pendingAmount: money(r.pendingAmount),
        pendingFrom: r.pendingFrom?.toISOString() ?? null,
      });
      await recordEvent(tx, {
        ...actor,
        actorId: actor.userId,
        action: "rg_limit_set",
        subject: `rg_limit:${change.kind}:${change.period}`,
        outcome: "ok",
        data: { before: shown(row), after: shown(next) },
      });
    }
  });
  return getResponsibleGaming(db, actor.userId, now);
}

/**
 * Starts a cool-off or self-exclusion now. Nothing ends one early: there is no function to, and
 * a new one that would end sooner than the one in force is refused (one that ends later
 * lengthens it). Audited.
 */
export async function startExclusion(
  db: DbOrTx,
  input: ExclusionInput,
  actor: RgActor,
  now: Date,
): Promise<ResponsibleGamingView> {
  await db.transaction(async (tx) => {
    // Two requests at once take turns, so each sees the other's exclusion.
    await tx.execute(sql`select id from users where id = ${actor.userId} for no key update`);
    const { exclusion } = (await activeRestrictions(tx, [actor.userId], now)).get(actor.userId) ?? {
      exclusion: null,
    };
    const endsAt = exclusionEnd(now, input);
    const current = exclusion?.endsAt;
    if (
      exclusion &&
      (current === null || (endsAt !== null && current && endsAt.getTime() <= current.getTime()))
    ) {
      throw new AppError(
        "already_excluded",
        `${exclusionMessage(exclusion)}: a new one must end later`,
      );
    }
    await tx.insert(rgExclusions).values({
      userId: actor.userId,
      kind: input.kind,
      startsAt: now,
      endsAt,
      createdAt: now,
    });
    await recordEvent(tx, {
      ...actor,
      actorId: actor.userId,
      action: "rg_exclusion_start",
      subject: `user:${actor.userId}`,
      outcome: "ok",
      data: {
        kind: input.kind,
        ...(input.kind === "cool_off" ? { days: input.days } : { term: input.term }),
        startsAt: now.toISOString(),
        endsAt: endsAt?.toISOString() ?? null,
      },
    });
  });
  return getResponsibleGaming(db, actor.userId, now);
}

/** Sets (or clears, with null) the session-time reminder. Audited. */
export async function setSessionReminder(
  db: DbOrTx,
  minutes: number | null,
  actor: RgActor,
  now: Date,
): Promise<ResponsibleGamingView> {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ minutes: users.sessionReminderMinutes })
      .from(users)
      .where(eq(users.id, actor.userId))
      // NO KEY UPDATE, as purchases take it: a round batch holding wallet locks takes KEY SHARE
      // on its players (foreign keys), which UPDATE would make wait.
      .for("no key update");
    if (!before) throw new AppError("not_found", "No such account");
    if (before.minutes === minutes) return;
    await tx
      .update(users)
      .set({ sessionReminderMinutes: minutes })
      .where(eq(users.id, actor.userId));
    await recordEvent(tx, {
      ...actor,
      actorId: actor.userId,
      action: "rg_session_reminder_set",
      subject: `user:${actor.userId}`,
      outcome: "ok",
      data: { before: before.minutes, after: minutes },
    });
  });
  return getResponsibleGaming(db, actor.userId, now);
}

/** The API's PUT: limits and the session reminder, changed together or not at all. */
export async function changeResponsibleGaming(
  db: DbOrTx,
  input: RgSettingsInput,
  actor: RgActor,
  now: Date,
): Promise<ResponsibleGamingView> {
  await db.transaction(async (tx) => {
    if (input.limits) await setLimits(tx, input.limits, actor, now);
    if (input.sessionReminderMinutes !== undefined) {
      await setSessionReminder(tx, input.sessionReminderMinutes, actor, now);
    }
  });
  return getResponsibleGaming(db, actor.userId, now);
}

/** Every cool-off and self-exclusion a player started, newest first (the admin's read-only view). */
export async function listExclusions(db: DbOrTx, userId: string): Promise<ExclusionView[]> {
  const rows = await db
    .select()
    .from(rgExclusions)
    .where(eq(rgExclusions.userId, userId))
    .orderBy(desc(rgExclusions.startsAt));
  return rows.map((r) => toExclusionView({ ...r, kind: r.kind as ExclusionView["kind"] }));
}
