import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";

/** A fixed-window limit: at most `limit` hits per `windowSeconds` (at most an hour: see purge). */
export type RateRule = { name: string; limit: number; windowSeconds: number };

/**
 * The limits of the account and sign-in flows; claims have their own (CLAIM_RATE_LIMIT per player,
 * CLAIM_IP_RATE_LIMIT per address). Sign-in
 * and token creation allow SIGN_IN_RATE_LIMIT attempts per account in 5 minutes, and three times
 * as many per address (several people may share one).
 */
export const rateRules = {
  get signInPerIp(): RateRule {
    return { name: "sign_in:ip", limit: 3 * env().SIGN_IN_RATE_LIMIT, windowSeconds: 300 };
  },
  get signInPerAccount(): RateRule {
    return { name: "sign_in:account", limit: env().SIGN_IN_RATE_LIMIT, windowSeconds: 300 };
  },
  signUpPerIp: { name: "sign_up:ip", limit: 10, windowSeconds: 3600 },
  get tokenPerIp(): RateRule {
    return { name: "token:ip", limit: 3 * env().SIGN_IN_RATE_LIMIT, windowSeconds: 300 };
  },
  get tokenPerAccount(): RateRule {
    return { name: "token:account", limit: env().SIGN_IN_RATE_LIMIT, windowSeconds: 300 };
  },
  /** CLAIM_IP_RATE_LIMIT claims per address in 10 seconds; 0 turns the rule off. */
  get claimPerIp(): RateRule {
    return { name: "claim:ip", limit: env().CLAIM_IP_RATE_LIMIT, windowSeconds: 10 };
  },
  mailPerAccount: { name: "mail:account", limit: 5, windowSeconds: 3600 },
  /**
   * Proof requests (public, uncached: each one reads the database) per address: 5 a second
   * over a minute lets a monitor audit steadily; a busier client reads tiles, which caches keep.
   */
  proofPerIp: { name: "proof:ip", limit: 300, windowSeconds: 60 },
} as const satisfies Record<string, RateRule>;

export type RateCheck = { rule: RateRule; subject: string };
export type RateVerdict = { ok: boolean; retryAfter: number };

/**
 * Counts one hit on each (rule, subject) in its current window, in PostgreSQL so that every web
 * instance shares the counters, and says whether any is over its limit. A check without a
 * subject (no address known, say) is skipped rather than lumping callers together.
 */
export async function hitRateLimits(db: DbOrTx, checks: RateCheck[]): Promise<RateVerdict> {
  const live = checks.filter((c) => c.subject !== "");
  if (live.length === 0) return { ok: true, retryAfter: 0 };
  const keys = live.map((c) => `${c.rule.name}:${c.subject.slice(0, 200)}`);
  const windows = live.map((c) => c.rule.windowSeconds);
  const rows = await db.execute<{ key: string; count: number; retry_after: number }>(sql`
    insert into rate_limits (key, window_start, count)
    select k, to_timestamp(floor(extract(epoch from now()) / w) * w), 1
    from unnest(${sql.param(keys)}::text[], ${sql.param(windows)}::int[]) as t(k, w)
    on conflict (key, window_start) do update set count = rate_limits.count + 1
    returning key, count, ceil(extract(epoch from window_start - now()))::int as retry_after`);
  let retryAfter = 0;
  for (const [i, check] of live.entries()) {
    const row = rows.find((r) => r.key === keys[i]);
    if (!row || row.count <= check.rule.limit) continue;
    // retry_after is the (negative) time since the window opened: the rest of the window.
    retryAfter = Math.max(retryAfter, 1, row.retry_after + check.rule.windowSeconds);
  }
  return { ok: retryAfter === 0, retryAfter };
}

/** As hitRateLimits, but refuses with `rate_limited` (and the seconds to wait) when over. */
export async function enforceRateLimits(
  db: DbOrTx,
  checks: RateCheck[],
  message = "Too many attempts: wait a moment and try again",
): Promise<void> {
  const verdict = await hitRateLimits(db, checks);
  if (!verdict.ok) throw new AppError("rate_limited", message, { retryAfter: verdict.retryAfter });
}
