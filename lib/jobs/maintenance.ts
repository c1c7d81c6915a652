import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import type { Log } from "@/lib/log";
import { runDueDraws } from "@/lib/lottery/lottery";
import { mailWinNotices } from "@/lib/lottery/win-notices";
import { remindNextSteps } from "@/lib/notifications/notifications";
import { admitWaitingRooms } from "@/lib/queue/admit";

/** Idempotency answers are kept two days: the promise to clients is at least 24 hours. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`
    with gone as (
      delete from idempotency_keys where created_at < now() - interval '48 hours' returning 1
    ) select count(*)::int as n from gone`);
  return rows[0]?.n ?? 0;
}

/** Redemptions in the last year that earn a loyalty tier. */
export const TIER_THRESHOLDS = { silver: 5, gold: 20 } as const;

/**
 * Loyalty tiers come from activity: redemptions kept (not expired) over the last 365 days. Tiers
 * only go up here; a tier granted another way is never taken away by a quiet year.
 */
export async function refreshLoyaltyTiers(db: Db): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`
    with activity as (
      select player_id, count(*) as n from redemptions
      where status <> 'expired' and created_at > now() - interval '365 days'
      group by player_id
    ), earned as (
      select player_id,
             case when n >= ${TIER_THRESHOLDS.gold} then 'gold'
                  when n >= ${TIER_THRESHOLDS.silver} then 'silver'
                  else 'bronze' end::loyalty_tier as tier
      from activity
    ), changed as (
      update users u set loyalty_tier = e.tier
      from earned e
      where u.id = e.player_id and e.tier > u.loyalty_tier
      returning 1
    ) select count(*)::int as n from changed`);
  return rows[0]?.n ?? 0;
}

/** When the slower jobs last ran (ms since the epoch), carried from one round to the next. */
export type MaintenanceClock = { lastTiers: number; lastPurge: number };

/**
 * One round of the worker's periodic jobs. Each job has its own try: a job that keeps failing
 * (a draw that cannot be made, a mail server that is down) must not stop expiries, the other
 * draws or winner mail, which is what one shared try did.
 */
export async function runMaintenanceRound(db: Db, log: Log, clock: MaintenanceClock) {
  const job = async (task: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      log.error("task_failed_will_retry", error, { task });
    }
  };
  // First: a waiting room's admissions are due every second, at the rate its admin set.
  await job("waiting_rooms", async () => {
    for (const pass of await admitWaitingRooms(db)) {
      // Another worker's pass still held the room: it is worked again next second.
      if (pass.busy) log.info("waiting_room_busy", { dropId: pass.dropId });
      else if (pass.shuffled + pass.placed + pass.admitted > 0 || pass.closed) {
        log.info("waiting_room_pass", pass);
      }
    }
  });
  await job("expire_claims", async () => {
    const expired = await expireOverdueClaims(db);
    if (expired > 0) log.info("claims_expired_units_returned", { count: expired });
  });
  await job("next_step_reminders", async () => {
    const reminded = await remindNextSteps(db, new Date());
    if (reminded > 0) log.info("next_steps_reminded", { count: reminded });
  });
  await job("lottery_draws", async () => {
    for (const draw of await runDueDraws(db)) {
      log.info("lottery_drawn", {
        dropId: draw.dropId,
        winners: draw.winners,
        entries: draw.entries,
      });
    }
  });
  await job("winner_mail", async () => {
    const notices = await mailWinNotices(db);
    if (notices.mailed > 0) log.info("winners_mailed", { count: notices.mailed });
    if (notices.failed > 0)
      log.warning("winner_mail_not_taken_will_retry", { count: notices.failed });
    if (notices.abandoned > 0) {
      // Each one is on record as a lottery_win_mail_abandoned audit event.
      log.warning("winner_mail_abandoned", { count: notices.abandoned });
    }
  });
  if (Date.now() - clock.lastTiers > 60_000) {
    clock.lastTiers = Date.now();
    await job("loyalty_tiers", async () => {
      const upgraded = await refreshLoyaltyTiers(db);
      if (upgraded > 0) log.info("loyalty_tiers_raised", { count: upgraded });
    });
  }
  if (Date.now() - clock.lastPurge > 3_600_000) {
    clock.lastPurge = Date.now();
    await job("purges", async () => {
      await db.execute(sql`delete from rate_limits where window_start < now() - interval '1 hour'`);
      const purged = await purgeIdempotencyKeys(db);
      if (purged > 0) log.info("idempotency_keys_purged", { count: purged, olderThanHours: 48 });
    });
  }
}

/** The worker's periodic jobs; safe to run in several workers at once. */
export async function runMaintenance(options: {
  db: Db;
  signal: AbortSignal;
  log: Log;
  intervalMs?: number;
}): Promise<void> {
  const { db, signal, log, intervalMs = 1000 } = options;
  const clock: MaintenanceClock = { lastTiers: 0, lastPurge: 0 };
  while (!signal.aborted) {
    await runMaintenanceRound(db, log, clock);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
