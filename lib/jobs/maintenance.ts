import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";

/** Idempotency answers are kept two days: the promise to clients is at least 24 hours. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`
    with gone as (
      delete from idempotency_keys where created_at < now() - interval '48 hours' returning 1
    ) select count(*)::int as n from gone`);
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
  while (!signal.aborted) {
    try {
      const expired = await expireOverdueClaims(db);
      if (expired > 0) log(`expired ${expired} unconfirmed claim(s); their units are back`);
      if (Date.now() - lastPurge > 3_600_000) {
        lastPurge = Date.now();
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
