import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { runDueDraws } from "@/lib/lottery/lottery";
import { mailWinNotices } from "@/lib/lottery/win-notices";

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

/** The worker's periodic jobs; safe to run in several workers at once. */
export async function runMaintenance(options: {
  db: Db;
  signal: AbortSignal;
  log: (line: string) => void;
  intervalMs?: number;
}): Promise<void> {
  const { db, signal, log, intervalMs = 1000 } = options;
  let lastPurge = 0;
  let lastTiers = 0;
  while (!signal.aborted) {
    try {
      const expired = await expireOverdueClaims(db);
      if (expired > 0) log(`expired ${expired} unconfirmed claim(s); their units are back`);
      for (const draw of await runDueDraws(db)) {
        log(`drew lottery ${draw.dropId}: ${draw.winners} winner(s) of ${draw.entries} entries`);
      }
      const notices = await mailWinNotices(db);
      if (notices.mailed > 0) log(`mailed ${notices.mailed} lottery winner(s)`);
      if (notices.failed > 0) log(`${notices.failed} winner mail(s) not sent, retrying`);
      if (Date.now() - lastTiers > 60_000) {
        lastTiers = Date.now();
        const upgraded = await refreshLoyaltyTiers(db);
        if (upgraded > 0) log(`${upgraded} player(s) reached a higher loyalty tier`);
      }
      if (Date.now() - lastPurge > 3_600_000) {
        lastPurge = Date.now();
        await db.execute(
          sql`delete from rate_limits where window_start < now() - interval '1 hour'`,
        );
        const purged = await purgeIdempotencyKeys(db);
        if (purged > 0) log(`purged ${purged} idempotency keys older than 48 hours`);
      }
    } catch (error) {
      log(`maintenance failed, retrying: ${(error as Error).message}`);
    }
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
