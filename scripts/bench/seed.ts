/**
 * Bulk seeding for load tests and benchmarks: players (optionally with API tokens) and a live
 * first-come drop. Inserts go through `unnest` in chunks, so 100,000 players take seconds rather
 * than the minutes 100,000 `issueApiToken` round trips would.
 */
import { createHash, randomBytes } from "node:crypto";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { createDrop } from "@/lib/drops/drops";
import { createPrize } from "@/lib/prizes/prizes";
import { createDropSchema } from "../../lib/drops/model";
import { createPrizeSchema } from "../../lib/prizes/model";

export type LoadPlayer = { id: string; email: string; token?: string };
export type LoadSeed = { dropId: string; players: Array<Required<LoadPlayer>> };

/**
 * Not an argon2 hash, so password sign-in never succeeds for these accounts: load players
 * authenticate with their API token only.
 */
const NO_PASSWORD = "!load-test-account:api-token-only";
const CHUNK = 10_000;
// The same format and digest as lib/auth/api-tokens.ts (`plt_` + 32 random bytes, SHA-256 stored).
const TOKEN_PREFIX = "plt_";
const TOKEN_TTL_DAYS = 30;

export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
}

function newToken(): { token: string; hashHex: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hashHex: createHash("sha256").update(token).digest("hex") };
}

/** Creates `n` eligible players (verified e-mail, region US, 18+, bronze) and, if asked, API tokens. */
export async function createPlayers(
  sql: postgres.Sql,
  n: number,
  options: { tokens: boolean; runId?: string },
): Promise<LoadPlayer[]> {
  const runId = options.runId ?? newRunId();
  const out: LoadPlayer[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start);
    const emails = Array.from({ length: count }, (_, k) => `load-${runId}-${start + k}@load.test`);
    const names = emails.map((_, k) => `Load ${start + k}`);
    // Account age: created a day ago, so rules on account age do not refuse them either.
    const rows = await sql<Array<{ id: string; email: string }>>`
      insert into users (email, password_hash, role, display_name, email_verified_at, region,
                         adult_declared_at, created_at)
      select e, ${NO_PASSWORD}, 'player', d, now(), 'US', now(), now() - interval '1 day'
      from unnest(${emails}::text[], ${names}::text[]) as t(e, d)
      returning id, email`;
    const byEmail = new Map(rows.map((r) => [r.email, r.id]));
    const chunk: LoadPlayer[] = emails.map((email) => ({
      id: byEmail.get(email) as string,
      email,
    }));
    if (options.tokens) {
      const tokens = chunk.map(() => newToken());
      await sql`
        insert into api_tokens (user_id, token_hash, name, expires_at)
        select u, decode(h, 'hex'), 'load', now() + ${`${TOKEN_TTL_DAYS} days`}::interval
        from unnest(${chunk.map((p) => p.id)}::uuid[], ${tokens.map((t) => t.hashHex)}::text[])
          as t(u, h)`;
      chunk.forEach((p, k) => {
        p.token = tokens[k]?.token;
      });
    }
    out.push(...chunk);
  }
  return out;
}

/**
 * One prize (crypto, so codes are generated) and one live first-come drop of `units` units. The
 * prize names a token amount: each claim's delivery is then a payout request that waits for the
 * player's wallet, as a real crypto drop's does. Without one, every delivery died (a dead-letter
 * job, a ledger leaf, a notification and a mail per claim) and the worker's work was not a drop's.
 */
export async function createHotDrop(db: Db, units: number, title = "Load drop"): Promise<string> {
  const prize = await createPrize(
    db,
    createPrizeSchema.parse({
      name: `${title} prize`,
      kind: "crypto",
      value: 1,
      quantity: units,
      tokenAmount: "1",
      tokenSymbol: "PLT",
    }),
  );
  const now = Date.now();
  const drop = await createDrop(
    db,
    createDropSchema.parse({
      title,
      prizeId: prize.id,
      units,
      startsAt: new Date(now - 60_000),
      endsAt: new Date(now + 86_400_000),
      perPlayerLimit: 1,
      // The claim path alone is measured: a waiting room would refuse every unadmitted claim.
      waitingRoom: { enabled: false },
    }),
  );
  return drop.id;
}

/** What `npm run seed:load` writes: the drop and every player with a token. */
export async function seedLoad(
  db: Db,
  sql: postgres.Sql,
  options: { players: number; units: number },
): Promise<LoadSeed> {
  const runId = newRunId();
  const players = await createPlayers(sql, options.players, { tokens: true, runId });
  const dropId = await createHotDrop(db, options.units, `Load drop ${runId}`);
  return { dropId, players: players as Array<Required<LoadPlayer>> };
}
