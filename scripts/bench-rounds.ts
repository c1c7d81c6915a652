/**
 * `npm run bench:rounds`: game rounds a second, the engine against the naive baseline, side by
 * side in one run on one database, in two workloads:
 *
 *   uniform   --players players (default 10,000), rounds spread over all of them
 *   hot       a hot set of --hot players (default 100) playing every round
 *
 *   naive     one transaction per round: SELECT … FOR UPDATE the player's balance, UPDATE it,
 *             UPDATE the single house row, INSERT the round (scripts/bench/rounds.ts)
 *   engine    playRound (what POST /api/v1/rounds calls): batched transactions, the journal
 *             with house shards, seeds, nonces, ledger entries and audit rows
 *   unnamed   the engine with every statement sent unnamed (DATABASE_PREPARED_STATEMENTS=false)
 *
 * Each with --concurrency clients (default 256) over a pool of --pool (default 32), durable
 * commits, dice rounds of 1.00 GC. After each engine variant the journal is checked: every
 * transaction sums to zero, every balance equals its postings, no balance below zero, every
 * round has its journal transaction and ledger entry and the other way round.
 * Then the engine over HTTP (POST /api/v1/rounds) through Next's router and the direct path, on
 * the whole app (--skip-http to leave it out; --requests, --connections as bench:claims).
 * DATABASE_URL: use that database for the DB part instead of a fresh embedded PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createDb } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { playRound } from "@/lib/rounds/play-round";
import { resetDir, startApp } from "./bench/app";
import { openBenchDatabase } from "./bench/database";
import { httpLoad, type JsonRequest, warmUp } from "./bench/http-load";
import { machineInfo } from "./bench/machine";
import { closedLoop, fmt, type Measured, measureClosedLoop } from "./bench/measure";
import { loadBenchOptions } from "./bench/options";
import {
  checkJournal,
  checkNaive,
  fundNaive,
  fundPlayers,
  type JournalCheck,
  naiveRound,
  setupNaiveRounds,
} from "./bench/rounds";
import { createPlayers } from "./bench/seed";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "20000" },
    players: { type: "string", default: "10000" },
    hot: { type: "string", default: "100" },
    ...loadBenchOptions({ requests: 10_000, pgPort: 54379 }),
  },
});

const ROUNDS = Number(args.rounds);
const PLAYERS = Number(args.players);
const HOT = Number(args.hot);
const CONCURRENCY = Number(args.concurrency);
const POOL = Number(args.pool);
const REQUESTS = Number(args.requests);
const CONNECTIONS = Number(args.connections);
const STAKE = 100;
/** Enough for every round to be played whatever the dice say: refusals would flatter a variant. */
const FUNDS = 1_000_000;
const WARM_UP = 512;
/** Players per HTTP path: each plays several rounds, as players do. */
const HTTP_PLAYERS = 2000;
const APP = "prizeledger";
const BODY = JSON.stringify({
  game: "dice",
  currency: "GC",
  stake: "1.00",
  params: { target: 50 },
});

/**
 * The engine as it runs, and the same engine with its statements sent unnamed, as drizzle sends
 * them (db/prepared.ts): what preparing them gains, side by side.
 */
const ENGINES = [
  { name: "unnamed", prepared: false },
  { name: "engine", prepared: true },
];

const log = (line: string) => console.log(`[bench] ${line}`);

type Variant = Measured & {
  name: string;
  label: string;
  check: string;
  ok: boolean;
};

let pgDataDir: string | undefined;

function measured(sql: postgres.Sql, play: (i: number) => Promise<boolean>): Promise<Measured> {
  return measureClosedLoop({
    sql,
    applicationName: APP,
    pgDataDir,
    total: ROUNDS,
    concurrency: CONCURRENCY,
    work: play,
  });
}

function describeJournal(c: JournalCheck): { text: string; ok: boolean } {
  const breaks =
    c.unbalanced +
    c.balanceMismatches +
    c.negative +
    c.roundsWithoutJournal +
    c.journalWithoutRound +
    c.roundsWithoutLeaf;
  return {
    ok: breaks === 0,
    text: breaks === 0 ? `journal holds (${c.rounds} rounds)` : `BROKEN: ${JSON.stringify(c)}`,
  };
}

async function dbPart(): Promise<Variant[]> {
  const database = await openBenchDatabase("rounds", Number(args["pg-port"]), log);
  const { url } = database;
  pgDataDir = database.pgDataDir;
  try {
    const admin = createDb(url, 2);
    await setupNaiveRounds(admin.sql);
    const t0 = performance.now();
    const players = (await createPlayers(admin.sql, PLAYERS + WARM_UP, { tokens: false })).map(
      (p) => p.id,
    );
    await fundPlayers(admin.db, players, FUNDS);
    log(
      `created and funded ${players.length} players in ${fmt((performance.now() - t0) / 1000)} s`,
    );
    const warm = players.slice(PLAYERS);
    const workloads = [
      { name: "uniform", players: players.slice(0, PLAYERS) },
      { name: "hot", players: players.slice(0, HOT) },
    ];
    const variants: Variant[] = [];
    for (const w of workloads) {
      const who = (i: number) => w.players[i % w.players.length] as string;
      {
        await setupNaiveRounds(admin.sql);
        await fundNaive(admin.sql, [...w.players, ...warm], FUNDS);
        const pool = postgres(url, {
          max: POOL,
          onnotice: () => {},
          connection: { application_name: APP },
        });
        await closedLoop(WARM_UP, CONCURRENCY, (i) => naiveRound(pool, warm[i] as string, STAKE));
        await admin.sql`checkpoint`;
        log(`naive ${w.name}: ${ROUNDS} rounds over ${w.players.length} players…`);
        const m = await measured(admin.sql, (i) => naiveRound(pool, who(i), STAKE));
        const funded = (w.players.length + warm.length) * FUNDS;
        const naive = await checkNaive(admin.sql, funded);
        const ok = naive.drift === 0 && naive.negative === 0 && naive.rounds === m.run.ok + WARM_UP;
        variants.push({
          name: `naive/${w.name}`,
          label: `naive, ${w.name}`,
          ...m,
          check: ok ? `coins kept (${naive.rounds} rounds)` : `BROKEN: ${JSON.stringify(naive)}`,
          ok,
        });
        await pool.end();
      }
      for (const engine of ENGINES) {
        const { db, sql } = createDb(url, POOL, { preparedStatements: engine.prepared });
        const play = (player: string) =>
          playRound(db, {
            playerId: player,
            body: JSON.parse(BODY),
            idempotencyKey: randomUUID(),
          }).then(
            () => true,
            (error: unknown) => {
              if (error instanceof AppError && error.code === "insufficient_funds") return false;
              throw error;
            },
          );
        await closedLoop(WARM_UP, CONCURRENCY, (i) => play(warm[i] as string));
        await admin.sql`checkpoint`;
        log(`${engine.name} ${w.name}: ${ROUNDS} rounds over ${w.players.length} players…`);
        const m = await measured(admin.sql, (i) => play(who(i)));
        const journal = describeJournal(await checkJournal(admin.sql));
        variants.push({
          name: `${engine.name}/${w.name}`,
          label: `${engine.name}, ${w.name}`,
          ...m,
          check: journal.text,
          ok: journal.ok,
        });
        await sql.end();
      }
    }
    await admin.sql.end();
    return variants;
  } finally {
    await database.close();
  }
}

function printDb(variants: Variant[]): void {
  const col = (s: string) => s.padStart(16);
  const naiveOf = (v: Variant) => variants.find((n) => n.name === `naive/${v.name.split("/")[1]}`);
  const rows: Array<[string, (v: Variant) => string]> = [
    ["rounds/s", (v) => fmt(v.run.perSecond, 0)],
    ["× naive", (v) => `${fmt(v.run.perSecond / (naiveOf(v)?.run.perSecond ?? Number.NaN), 2)}×`],
    ["p50 ms", (v) => fmt(v.run.p50)],
    ["p95 ms", (v) => fmt(v.run.p95)],
    ["p99 ms", (v) => fmt(v.run.p99)],
    ["max ms", (v) => fmt(v.run.max)],
    ["played", (v) => String(v.run.ok)],
    ["refused/errors", (v) => `${v.run.refused}/${v.run.errors}`],
    ["seconds", (v) => fmt(v.run.seconds)],
    ["postgres CPU s", (v) => fmt(v.pgCpu)],
    ["machine busy", (v) => `${fmt(v.machineBusy * 100, 0)}%`],
  ];
  console.log(
    `\nDatabase layer: ${ROUNDS} dice rounds per variant, ${CONCURRENCY} concurrent clients, pool ${POOL}, ` +
      `uniform = ${PLAYERS} players, hot = ${HOT} players, durable commits`,
  );
  console.log(`${"".padEnd(18)}${variants.map((v) => col(v.name)).join("")}`);
  for (const [name, f] of rows)
    console.log(`${name.padEnd(18)}${variants.map((v) => col(f(v))).join("")}`);
  console.log("\nChecks after each variant:");
  for (const v of variants) {
    console.log(`  ${v.name.padEnd(16)} ${v.check}`);
    if (v.run.firstError) console.log(`  ${v.name.padEnd(16)} first error: ${v.run.firstError}`);
  }
  console.log("\nActive backends by wait event (average number of backends; CPU = not waiting):");
  for (const v of variants) {
    const top = v.waits
      .slice(0, 5)
      .map(([w, n]) => `${w} ${fmt(n)}`)
      .join(", ");
    console.log(`  ${v.name.padEnd(16)} ${top}`);
  }
  for (const v of variants.filter((x) => x.name.startsWith("engine"))) {
    const ratio = v.run.perSecond / (naiveOf(v)?.run.perSecond ?? Number.NaN);
    const met = ratio >= 5 && v.run.perSecond >= 5000;
    console.log(
      `target for ${v.name} (≥ 5× naive and ≥ 5,000 rounds/s): ${fmt(ratio, 2)}×, ` +
        `${fmt(v.run.perSecond, 0)} rounds/s: ${met ? "met" : "MISSED"}`,
    );
  }
}

type HttpVariant = { name: string; result: Awaited<ReturnType<typeof httpLoad>>; check: string };

const HTTP_PATHS = [
  { name: "next", cookie: "bench=next" },
  { name: "direct", cookie: undefined },
];

async function httpPart(): Promise<HttpVariant[]> {
  const dataDir = ".data/bench-http-rounds";
  resetDir(dataDir);
  log("starting the app (embedded PostgreSQL, chain, worker, web server) on port 3210…");
  const app = await startApp({
    dataDir,
    port: 3210,
    pgPort: 54389,
    chainPort: 8566,
    distDir: ".data/bench-next",
    log,
  });
  const out: HttpVariant[] = [];
  try {
    const { db, sql } = createDb(app.databaseUrl, 4);
    // Each path's players play a round each first (the app commits their seeds with its own
    // keys), then the measured rounds go round them.
    const perPath = Math.min(REQUESTS, HTTP_PLAYERS);
    const seeded = await createPlayers(sql, perPath * HTTP_PATHS.length, { tokens: true });
    await fundPlayers(
      db,
      seeded.map((p) => p.id),
      FUNDS,
      { seeds: false },
    );
    const route = {
      path: "/api/v1/rounds",
      request: (): JsonRequest => ({
        body: BODY,
        headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      }),
    };
    for (const [k, h] of HTTP_PATHS.entries()) {
      const players = seeded.slice(k * perPath, (k + 1) * perPath).map((p) => p.token as string);
      await warmUp(app.baseUrl, "", players, h.cookie, route);
      log(
        `HTTP ${h.name}: ${REQUESTS} rounds over ${players.length} players, ${CONNECTIONS} connections…`,
      );
      const result = await httpLoad({
        baseUrl: app.baseUrl,
        dropId: "",
        path: route.path,
        request: route.request,
        tokens: Array.from({ length: REQUESTS }, (_, i) => players[i % players.length] as string),
        connections: CONNECTIONS,
        requests: REQUESTS,
        cookie: h.cookie,
        firstAddress: k * 1_000_000,
      });
      out.push({ name: h.name, result, check: describeJournal(await checkJournal(sql)).text });
    }
    await sql.end();
  } finally {
    log("stopping the app…");
    await app.stop();
  }
  return out;
}

function printHttp(variants: HttpVariant[]): void {
  const col = (s: string) => s.padStart(16);
  const rows: Array<[string, (v: HttpVariant) => string]> = [
    ["rounds/s", (v) => fmt(v.result.perSecond, 0)],
    ["p50 ms", (v) => fmt(v.result.p50)],
    ["p95 ms", (v) => fmt(v.result.p95)],
    ["p99 ms", (v) => fmt(v.result.p99)],
    ["max ms", (v) => fmt(v.result.max)],
    [
      "statuses",
      (v) =>
        Object.entries(v.result.statuses)
          .map(([s, n]) => `${s}:${n}`)
          .join(" "),
    ],
    ["load gen CPU s", (v) => fmt(v.result.cpuSeconds)],
  ];
  console.log(
    `\nHTTP: POST /api/v1/rounds, ${REQUESTS} rounds per path over ${Math.min(REQUESTS, HTTP_PLAYERS)} players, ${CONNECTIONS} keep-alive connections`,
  );
  console.log(`${"".padEnd(18)}${variants.map((v) => col(v.name)).join("")}`);
  for (const [name, f] of rows)
    console.log(`${name.padEnd(18)}${variants.map((v) => col(f(v))).join("")}`);
  for (const v of variants) {
    console.log(`  ${v.name}: ${v.check}`);
    if (v.result.firstError) console.log(`  ${v.name} first error: ${v.result.firstError}`);
  }
}

async function main(): Promise<void> {
  console.log(`bench:rounds on ${machineInfo()}`);
  if (!args["skip-db"]) printDb(await dbPart());
  if (!args["skip-http"]) printHttp(await httpPart());
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:rounds failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
