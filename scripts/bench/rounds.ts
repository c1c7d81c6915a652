/**
 * What bench:rounds needs besides the claim bench's helpers: funding players through the journal,
 * their seeds committed up front (a steady state, not every player's first round), the naive
 * baseline the issue names, and the journal check run after each variant.
 *
 * The naive baseline has its own tables (bench_naive_*), on raw postgres.js: one transaction per
 * round, SELECT … FOR UPDATE of the player's balance row, UPDATE it, UPDATE the one house row,
 * INSERT the round. Every round of every player queues on the house row's lock until the previous
 * holder commits, which is what the engine's house shards and batching avoid.
 */
import { randomBytes } from "node:crypto";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { clientSeedsOf, ensureSeeds } from "@/lib/fairness/seeds";
import { playDice } from "@/lib/games/dice";
import { roundIntegers } from "@/lib/games/rng";
import { postTransactions } from "@/lib/wallet/journal";

const CHUNK = 1000;

/** Credits each player `amount` GC (a grant each) and commits their seeds. */
export async function fundPlayers(db: Db, players: string[], amount: number): Promise<void> {
  for (let start = 0; start < players.length; start += CHUNK) {
    const chunk = players.slice(start, start + CHUNK);
    await db.transaction(async (tx) => {
      await postTransactions(
        tx,
        chunk.map((player) => ({
          kind: "grant" as const,
          idempotencyKey: `bench:${player}:${randomBytes(6).toString("hex")}`,
          userId: player,
          reason: "bench:rounds",
          postings: [
            { account: { player, currency: "GC" as const }, amount },
            {
              account: { system: "promotions" as const, currency: "GC" as const },
              amount: -amount,
            },
          ],
        })),
      );
      await ensureSeeds(tx, chunk);
      await clientSeedsOf(tx, chunk);
    });
  }
}

export async function setupNaiveRounds(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    create table if not exists bench_naive_balances (
      user_id uuid primary key,
      balance bigint not null check (balance >= 0)
    );
    create table if not exists bench_naive_house (id integer primary key, balance bigint not null);
    create table if not exists bench_naive_rounds (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      game text not null,
      stake bigint not null,
      payout bigint not null,
      outcome jsonb not null,
      nonce integer not null,
      created_at timestamptz not null default now()
    );
    truncate bench_naive_balances, bench_naive_house, bench_naive_rounds;
    insert into bench_naive_house values (1, 0);`);
}

export async function fundNaive(sql: postgres.Sql, players: string[], amount: number) {
  await sql`
    insert into bench_naive_balances (user_id, balance)
    select u, ${amount} from unnest(${players}::uuid[]) as t(u)
    on conflict (user_id) do update set balance = excluded.balance`;
}

const NAIVE_SEED = randomBytes(32).toString("hex");
let naiveNonce = 0;

/** One dice round, one transaction: true when played, false when the balance was short. */
export async function naiveRound(sql: postgres.Sql, playerId: string, stake: number) {
  const nonce = naiveNonce++;
  return sql.begin(async (tx) => {
    const [row] = await tx<Array<{ balance: string }>>`
      select balance from bench_naive_balances where user_id = ${playerId} for update`;
    if (!row || Number(row.balance) < stake) return false;
    const { payout, outcome } = playDice(
      roundIntegers(NAIVE_SEED, "bench", nonce, 1)[0] ?? 0,
      stake,
      { target: 50 },
    );
    await tx`
      update bench_naive_balances set balance = balance - ${stake} + ${payout}
      where user_id = ${playerId}`;
    await tx`update bench_naive_house set balance = balance + ${stake} - ${payout} where id = 1`;
    await tx`
      insert into bench_naive_rounds (user_id, game, stake, payout, outcome, nonce)
      values (${playerId}, 'dice', ${stake}, ${payout}, ${JSON.stringify(outcome)}::jsonb, ${nonce})`;
    return true;
  });
}

/** Breaks found: 0 everywhere is a journal that holds. */
export type JournalCheck = {
  rounds: number;
  unbalanced: number;
  balanceMismatches: number;
  negative: number;
  roundsWithoutJournal: number;
  journalWithoutRound: number;
  roundsWithoutLeaf: number;
};

export async function checkJournal(sql: postgres.Sql): Promise<JournalCheck> {
  const [row] = await sql<Array<Record<keyof JournalCheck, string>>>`
    select
      (select count(*) from game_rounds) as rounds,
      (select count(*) from (select 1 from wallet_postings group by transaction_id, currency
                             having sum(amount) <> 0) u) as unbalanced,
      (select count(*) from wallet_accounts a
         left join (select account_id, sum(amount) as s, sum(playthrough) as p
                    from wallet_postings group by account_id) j on j.account_id = a.id
        where a.balance <> coalesce(j.s, 0) or a.playthrough_due <> coalesce(j.p, 0))
        as "balanceMismatches",
      (select count(*) from wallet_accounts where kind = 'player' and balance < 0) as negative,
      (select count(*) from game_rounds r
        where not exists (select 1 from wallet_transactions t where t.id = r.id))
        as "roundsWithoutJournal",
      (select count(*) from wallet_transactions t
        where t.kind = 'round' and not exists (select 1 from game_rounds r where r.id = t.id))
        as "journalWithoutRound",
      (select count(*) from game_rounds r
        where not exists (select 1 from ledger_entries l where l.round_id = r.id))
        as "roundsWithoutLeaf"`;
  if (!row) throw new Error("no journal check");
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as JournalCheck;
}

/** The naive tables' own check: coins neither made nor lost, one row per round played. */
export async function checkNaive(
  sql: postgres.Sql,
  funded: number,
): Promise<{ rounds: number; drift: number; negative: number }> {
  const [row] = await sql<Array<{ rounds: string; total: string; negative: string }>>`
    select (select count(*) from bench_naive_rounds) as rounds,
           (select coalesce(sum(balance), 0) from bench_naive_balances)
             + (select balance from bench_naive_house where id = 1) as total,
           (select count(*) from bench_naive_balances where balance < 0) as negative`;
  return {
    rounds: Number(row?.rounds),
    drift: Number(row?.total) - funded,
    negative: Number(row?.negative),
  };
}
