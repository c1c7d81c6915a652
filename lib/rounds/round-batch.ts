import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import { recordEvents } from "@/lib/audit/record-event";
import { offerInstantPrizes } from "@/lib/catalog/instant-win";
import { clientSeedsOf, ensureSeeds, lockActiveSeeds, roundSalt } from "@/lib/fairness/seeds";
import { games } from "@/lib/games/games";
import { roundIntegers } from "@/lib/games/rng";
import { roundDigest } from "@/lib/games/round-record";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { codeIsShown } from "@/lib/redemptions/model";
import { exclusionMessage } from "@/lib/rg/model";
import {
  lockPlayerAccounts,
  type NewWalletTransaction,
  type PlayerAccount,
  postTransactions,
} from "@/lib/wallet/journal";
import { currencies, formatCoins, playthroughOfWager } from "@/lib/wallet/model";
import { emitWebhookEvents } from "@/lib/webhooks/emit-events";
import type { RoundView } from "./model";
import { loadPlayerChecks, periods } from "./round-checks";
import type { RoundOutcome, RoundRequest } from "./round-types";
import { findRounds } from "./round-views";

type Played = {
  request: RoundRequest;
  id: string;
  seedId: string;
  nonce: number;
  payout: number;
  balanceAfter: number;
  playthrough: number;
  view: RoundView;
  leaf: Uint8Array;
  region: string | null;
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const keyOf = (r: RoundRequest) => `${r.playerId}\u0000${r.idempotencyKey}`;
const sameHash = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

const mismatch: RoundOutcome = {
  ok: false,
  reason: "idempotency_mismatch",
  message: "This Idempotency-Key was already used for a different request",
};

/**
 * A batch of rounds in one transaction, one outcome per request in order. Players' accounts are
 * locked first (so a player's rounds, here or in another batch, are judged one after another
 * against the balance they leave), then the keys are looked up, the checks read for all players
 * at once, and each round decided in order: exclusion, region (SC), wager limits, balance; then
 * played on the player's active seed with the next nonce. Everything is written with a statement
 * per table for the whole batch: rounds, journal, nonces, ledger entries, audit rows.
 */
export async function playRoundBatch(tx: Tx, requests: RoundRequest[]): Promise<RoundOutcome[]> {
  const outcomes: (RoundOutcome | undefined)[] = requests.map(() => undefined);

  const accounts = new Map<string, PlayerAccount>();
  for (const currency of currencies) {
    const ids = requests.filter((r) => r.currency === currency).map((r) => r.playerId);
    for (const [userId, account] of await lockPlayerAccounts(tx, ids, currency)) {
      accounts.set(`${userId}:${currency}`, account);
    }
  }

  // One round trip for what the batch reads next (postgres.js pipelines a transaction's
  // concurrent statements): answers already given under the keys, the players' checks, their
  // seeds (locked: their nonces move) and client seeds. Read for every player of the batch; a
  // replay or a refusal only leaves a row unused.
  const allPlayers = requests.map((r) => r.playerId);
  const [stored, refused, { now, players }, seeds, clientSeeds] = await Promise.all([
    findRounds(
      tx,
      requests.map((r) => ({ playerId: r.playerId, key: r.idempotencyKey })),
    ),
    findRefusals(tx, requests),
    loadPlayerChecks(tx, allPlayers),
    lockActiveSeeds(tx, allPlayers),
    clientSeedsOf(tx, allPlayers),
  ]);
  const firstWithKey = new Map<string, number>();
  const repeats: Array<[number, number]> = [];
  for (const [i, r] of requests.entries()) {
    const key = keyOf(r);
    const before = stored.get(key) ?? refused.get(key);
    if (before) {
      outcomes[i] = !sameHash(before.requestHash, r.requestHash)
        ? mismatch
        : "view" in before
          ? { ok: true, round: before.view, replayed: true }
          : before.outcome;
      continue;
    }
    const first = firstWithKey.get(key);
    if (first === undefined) firstWithKey.set(key, i);
    else repeats.push([i, first]);
  }
  const live = [...firstWithKey.values()];
  const playable = live.filter((i) => {
    const r = requests[i] as RoundRequest;
    const checks = players.get(r.playerId);
    if (checks?.exclusion) {
      outcomes[i] = {
        ok: false,
        reason: "self_excluded",
        message: exclusionMessage(checks.exclusion),
      };
    } else if (r.currency === "SC" && (!checks || checks.sweepsRefused)) {
      outcomes[i] = {
        ok: false,
        reason: "not_eligible:region",
        message: checks?.region
          ? "Sweeps Coins play is not open in your region"
          : "Declare your region on your account page before playing with Sweeps Coins",
      };
    }
    return outcomes[i] === undefined;
  });

  // A player's first round: seeds committed now, before the round's ledger entry.
  const seedless = playable.flatMap((i) => {
    const player = requests[i]?.playerId ?? "";
    return seeds.has(player) ? [] : [player];
  });
  if (seedless.length > 0) {
    await ensureSeeds(tx, seedless);
    for (const [player, seed] of await lockActiveSeeds(tx, seedless)) seeds.set(player, seed);
  }

  const played: Played[] = [];
  const awardInstantPrize = offerInstantPrizes(tx, now);
  for (const i of playable) {
    const r = requests[i] as RoundRequest;
    const checks = players.get(r.playerId);
    const account = accounts.get(`${r.playerId}:${r.currency}`);
    const seed = seeds.get(r.playerId);
    const clientSeed = clientSeeds.get(r.playerId);
    if (!checks || !account || !seed || clientSeed === undefined) {
      throw new Error(`round of player ${r.playerId}: account, seed or checks missing`);
    }
    const over = checks.limits.find(
      (l) => l.currency === r.currency && l.wagered + r.stake > l.limit,
    );
    if (over) {
      outcomes[i] = {
        ok: false,
        reason: "limit_reached",
        message: `This stake would take your ${r.currency} wagers over your ${over.period === "day" ? "daily" : `${over.period}ly`} limit of ${formatCoins(over.limit)} (${formatCoins(over.wagered)} wagered in the last ${periods[over.period] === 1 ? "24 hours" : `${periods[over.period]} days`})`,
      };
      continue;
    }
    if (account.balance < r.stake) {
      outcomes[i] = {
        ok: false,
        reason: "insufficient_funds",
        message: `Your ${r.currency} balance (${formatCoins(account.balance)}) is less than the stake`,
      };
      continue;
    }
    const game = games[r.game];
    const nonce = seed.nextNonce++;
    const result = game.play(
      roundIntegers(seed.serverSeed, clientSeed, nonce, game.floats),
      r.stake,
      r.params,
    );
    const id = randomUUID();
    // The prize tier (one card in 100,000): the prize offered now, or its coin value. Only
    // Sweeps Coins win prizes: Gold Coins are play money, and a prize for them would not be.
    const prize =
      result.prizeTier && r.currency === "SC"
        ? await awardInstantPrize(r.playerId, id, result.payout)
        : undefined;
    const payout = prize ? 0 : result.payout;
    const playthrough =
      r.currency === "SC" ? playthroughOfWager(account.playthroughDue, r.stake) : 0;
    account.balance += payout - r.stake;
    account.playthroughDue += playthrough;
    for (const l of checks.limits) if (l.currency === r.currency) l.wagered += r.stake;

    const view: RoundView = {
      id,
      game: r.game,
      currency: r.currency,
      stake: formatCoins(r.stake),
      payout: formatCoins(payout),
      outcome: result.outcome,
      serverSeedHash: seed.serverSeedHash,
      clientSeed,
      nonce,
      balanceAfter: formatCoins(account.balance),
      playedAt: now.toISOString(),
      prizeId: prize?.prizeId ?? null,
      redemption: prize
        ? {
            id: prize.id,
            status: prize.status,
            code: codeIsShown(prize.status) ? prize.code : null,
          }
        : null,
    };
    const leaf = encodeLeaf({
      kind: "round",
      entryId: id,
      roundDigest: roundDigest({ ...view, params: r.params }),
      payoutMinor: payout,
      timeMs: now.getTime(),
      playerCommitment: playerCommitment(r.playerId, roundSalt(seed.playerSalt, id)),
    });
    played.push({
      request: r,
      id,
      seedId: seed.id,
      nonce,
      payout,
      balanceAfter: account.balance,
      playthrough,
      view,
      leaf,
      region: checks.region,
    });
    outcomes[i] = { ok: true, round: view, replayed: false, receipt: prize?.receipt };
  }

  // The writes are independent of each other: one pipelined round trip, and the journal's.
  await Promise.all([
    writeRounds(tx, played, seeds, accounts),
    storeRefusals(
      tx,
      live.flatMap((i) => {
        const o = outcomes[i] as RoundOutcome;
        return o.ok ? [] : [{ request: requests[i] as RoundRequest, outcome: o }];
      }),
    ),
    recordAnswers(tx, requests, live, outcomes),
    emitWebhookEvents(
      tx,
      played.flatMap(({ request, view }) =>
        view.redemption
          ? [
              {
                type: "round.won_prize" as const,
                data: {
                  roundId: view.id,
                  playerId: request.playerId,
                  game: view.game,
                  currency: view.currency,
                  stake: view.stake,
                  prizeId: view.prizeId,
                  redemptionId: view.redemption.id,
                  playedAt: view.playedAt,
                },
              },
            ]
          : [],
      ),
    ),
  ]);

  for (const [i, first] of repeats) {
    const r = requests[i] as RoundRequest;
    const o = outcomes[first] as RoundOutcome;
    outcomes[i] = !sameHash(r.requestHash, (requests[first] as RoundRequest).requestHash)
      ? mismatch
      : o.ok
        ? { ...o, replayed: true }
        : o;
  }
  return outcomes.map((o) => {
    if (!o) throw new Error("a round of the batch was left without an answer");
    return o;
  });
}

/** An audit row for every round decided in this batch, played or refused. */
function recordAnswers(
  tx: Tx,
  requests: RoundRequest[],
  live: number[],
  outcomes: (RoundOutcome | undefined)[],
): Promise<void> {
  return recordEvents(
    tx,
    live.map((i) => {
      const r = requests[i] as RoundRequest;
      const o = outcomes[i] as RoundOutcome;
      return {
        actorId: r.playerId,
        action: "round",
        subject: o.ok ? `round:${o.round.id}` : `user:${r.playerId}`,
        outcome: o.ok ? ("ok" as const) : ("refused" as const),
        reason: o.ok ? null : o.reason,
        ip: r.ip,
        userAgent: r.userAgent,
        data: {
          game: r.game,
          currency: r.currency,
          stake: formatCoins(r.stake),
          ...(o.ok ? { payout: o.round.payout, nonce: o.round.nonce } : {}),
          ...(o.ok && o.round.redemption
            ? {
                prizeId: o.round.prizeId,
                redemptionId: o.round.redemption.id,
                prizeStatus: o.round.redemption.status,
              }
            : {}),
        },
        tokenId: r.tokenId,
        requestId: r.requestId,
      };
    }),
  );
}

/**
 * A refusal is the key's answer too, kept with the claims' keys (prefixed "round:"): a client
 * retrying the key after its balance grew must not play a round it was told was refused.
 */
const REFUSAL_PREFIX = "round:";

async function findRefusals(
  tx: Tx,
  requests: RoundRequest[],
): Promise<Map<string, { requestHash: Uint8Array; outcome: RoundOutcome }>> {
  const found = new Map<string, { requestHash: Uint8Array; outcome: RoundOutcome }>();
  if (requests.length === 0) return found;
  const rows = await executePrepared<{
    player_id: string;
    key: string;
    request_hash: Buffer;
    response: RoundOutcome;
  }>(
    tx,
    sql`
    select player_id, key, request_hash, response from idempotency_keys
    where (player_id, key) in (
      select * from unnest(${sql.param(requests.map((r) => r.playerId))}::uuid[],
                           ${sql.param(requests.map((r) => REFUSAL_PREFIX + r.idempotencyKey))}::text[]))`,
  );
  for (const r of rows) {
    found.set(`${r.player_id}\u0000${r.key.slice(REFUSAL_PREFIX.length)}`, {
      requestHash: new Uint8Array(r.request_hash),
      outcome: r.response,
    });
  }
  return found;
}

async function storeRefusals(
  tx: Tx,
  refusals: { request: RoundRequest; outcome: RoundOutcome }[],
): Promise<void> {
  if (refusals.length === 0) return;
  await executePrepared(
    tx,
    sql`
    insert into idempotency_keys (player_id, key, request_hash, status, response)
    select p, k, decode(h, 'hex'), 409, o::jsonb
    from unnest(${sql.param(refusals.map((x) => x.request.playerId))}::uuid[],
                ${sql.param(refusals.map((x) => REFUSAL_PREFIX + x.request.idempotencyKey))}::text[],
                ${sql.param(refusals.map((x) => hex(x.request.requestHash)))}::text[],
                ${sql.param(refusals.map((x) => JSON.stringify(x.outcome)))}::text[]) as t(p, k, h, o)
    on conflict do nothing`,
  );
}

async function writeRounds(
  tx: Tx,
  played: Played[],
  seeds: Map<string, { id: string; nextNonce: number }>,
  accounts: ReadonlyMap<string, PlayerAccount>,
): Promise<void> {
  if (played.length === 0) return;
  const nonces = [...seeds.values()].filter((s) => played.some((x) => x.seedId === s.id));
  // The rounds, their seeds' next nonces and their ledger entries in one statement.
  const rounds = sql`
    with rounds as (
      insert into game_rounds (id, user_id, idempotency_key, request_hash, game, currency, stake,
                               payout, params, outcome, seed_id, client_seed, nonce,
                               balance_after, prize_id, region)
      select id, u, k, decode(h, 'hex'), g, c::currency, s, p, pa::jsonb, o::jsonb, seed, cs, n,
             b, prize, reg
      from unnest(${sql.param(played.map((x) => x.id))}::uuid[],
                  ${sql.param(played.map((x) => x.request.playerId))}::uuid[],
                  ${sql.param(played.map((x) => x.request.idempotencyKey))}::text[],
                  ${sql.param(played.map((x) => hex(x.request.requestHash)))}::text[],
                  ${sql.param(played.map((x) => x.request.game))}::text[],
                  ${sql.param(played.map((x) => x.request.currency))}::text[],
                  ${sql.param(played.map((x) => x.request.stake))}::bigint[],
                  ${sql.param(played.map((x) => x.payout))}::bigint[],
                  ${sql.param(played.map((x) => JSON.stringify(x.request.params)))}::text[],
                  ${sql.param(played.map((x) => JSON.stringify(x.view.outcome)))}::text[],
                  ${sql.param(played.map((x) => x.seedId))}::uuid[],
                  ${sql.param(played.map((x) => x.view.clientSeed))}::text[],
                  ${sql.param(played.map((x) => x.nonce))}::int[],
                  ${sql.param(played.map((x) => x.balanceAfter))}::bigint[],
                  ${sql.param(played.map((x) => x.view.prizeId))}::uuid[],
                  ${sql.param(played.map((x) => x.region))}::text[])
        as t(id, u, k, h, g, c, s, p, pa, o, seed, cs, n, b, prize, reg)
      returning 1),
    nonces as (
      update fair_seeds f set next_nonce = t.n
      from unnest(${sql.param(nonces.map((s) => s.id))}::uuid[],
                  ${sql.param(nonces.map((s) => s.nextNonce))}::int[]) as t(id, n)
      where f.id = t.id
      returning 1),
    entries as (
      insert into ledger_entries (kind, round_id, leaf_data)
      select 'round', r, decode(d, 'hex')
      from unnest(${sql.param(played.map((x) => x.id))}::uuid[],
                  ${sql.param(played.map((x) => hex(x.leaf)))}::text[]) as t(r, d)
      returning 1)
    select (select count(*) from rounds) as rounds, (select count(*) from entries) as entries`;
  await Promise.all([
    executePrepared(tx, rounds),
    postJournal(tx, played, accounts),
    notify(tx, "ledger_entries"),
  ]);
}

/** A round is one journal transaction: the stake to the house, the payout from it. */
async function postJournal(
  tx: Tx,
  played: Played[],
  accounts: ReadonlyMap<string, PlayerAccount>,
): Promise<void> {
  const txns: NewWalletTransaction[] = played.map((x) => {
    const { playerId, currency, stake } = x.request;
    const player = { player: playerId, currency };
    return {
      id: x.id,
      kind: "round",
      idempotencyKey: `round:${playerId}:${x.request.idempotencyKey}`,
      userId: playerId,
      region: x.region,
      subjectId: x.id,
      postings: [
        { account: player, amount: -stake, playthrough: x.playthrough },
        ...(x.payout > 0 ? [{ account: player, amount: x.payout }] : []),
        { account: { system: "house", currency }, amount: stake - x.payout },
      ],
    };
  });
  const written = await postTransactions(tx, txns, { locked: accounts });
  if (written.size !== txns.length) {
    // The journal had a key no round had: moving nothing for a played round would be worse.
    throw new Error("a round's journal key was already in the journal");
  }
}
