import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import type { Currency } from "@/lib/wallet/model";

/**
 * What a batch's rounds are judged on, per player, in one statement for the whole batch (and a
 * second only when some player set a wager limit): declared region and whether SC is open there,
 * an exclusion in force, and the wager limits in force with what was wagered in their windows.
 */
export type PlayerChecks = {
  region: string | null;
  sweepsRefused: boolean;
  exclusion: { kind: "cool_off" | "self_exclusion"; endsAt: Date | null } | null;
  /** Limits in force by currency and period, in minor units, with the amount wagered so far. */
  limits: { currency: Currency; period: Period; limit: number; wagered: number }[];
};

export const periods = { day: 1, week: 7, month: 30 } as const;
type Period = keyof typeof periods;

export async function loadPlayerChecks(
  tx: Tx,
  userIds: readonly string[],
): Promise<{ now: Date; players: Map<string, PlayerChecks> }> {
  const ids = [...new Set(userIds)];
  const rows = await executePrepared<{
    id: string;
    region: string | null;
    sweeps_refused: boolean;
    exclusion: { kind: "cool_off" | "self_exclusion"; endsAt: string | null } | null;
    limits: { kind: string; period: Period; amount: number | null }[] | null;
    now: string;
  }>(
    tx,
    sql`
    select u.id, u.region, to_json(now()) #>> '{}' as now,
           (u.region is null or exists (
              select 1 from excluded_regions x where x.code = upper(u.region))) as sweeps_refused,
           (select json_build_object('kind', e.kind, 'endsAt', e.ends_at) from rg_exclusions e
             where e.user_id = u.id and e.starts_at <= now()
               and (e.ends_at is null or e.ends_at > now())
             order by e.ends_at desc nulls first limit 1) as exclusion,
           (select json_agg(json_build_object('kind', l.kind, 'period', l.period, 'amount',
                     case when l.pending_from is not null and l.pending_from <= now()
                          then l.pending_amount else l.amount end))
              from rg_limits l where l.user_id = u.id and l.kind in ('wager_gc', 'wager_sc'))
             as limits
    from users u where u.id = any(${sql.param(ids)}::uuid[])`,
  );
  const players = new Map<string, PlayerChecks>();
  const limited: string[] = [];
  let now = new Date();
  for (const r of rows) {
    now = new Date(r.now);
    const limits = (r.limits ?? []).flatMap((l) =>
      l.amount === null
        ? []
        : [
            {
              currency: (l.kind === "wager_sc" ? "SC" : "GC") as Currency,
              period: l.period,
              limit: Number(l.amount),
              wagered: 0,
            },
          ],
    );
    if (limits.length > 0) limited.push(r.id);
    players.set(r.id, {
      region: r.region,
      sweepsRefused: r.sweeps_refused,
      exclusion: r.exclusion && {
        kind: r.exclusion.kind,
        endsAt: r.exclusion.endsAt === null ? null : new Date(r.exclusion.endsAt),
      },
      limits,
    });
  }
  if (limited.length > 0) await addWagered(tx, limited, players);
  return { now, players };
}

/** Rolling windows: the last 24 hours, 7 days, 30 days. */
async function addWagered(
  tx: Tx,
  userIds: string[],
  players: Map<string, PlayerChecks>,
): Promise<void> {
  const rows = await executePrepared<{
    user_id: string;
    currency: Currency;
    day: string;
    week: string;
    month: string;
  }>(
    tx,
    sql`
    select user_id, currency,
           coalesce(sum(stake) filter (where created_at > now() - interval '1 day'), 0) as day,
           coalesce(sum(stake) filter (where created_at > now() - interval '7 days'), 0) as week,
           coalesce(sum(stake), 0) as month
    from game_rounds
    where user_id = any(${sql.param(userIds)}::uuid[]) and created_at > now() - interval '30 days'
    group by user_id, currency`,
  );
  for (const r of rows) {
    for (const l of players.get(r.user_id)?.limits ?? []) {
      if (l.currency === r.currency) l.wagered = Number(r[l.period]);
    }
  }
}
