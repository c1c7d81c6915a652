/**
 * `npm run bench:claims`: claim throughput, side by side in one run on one database.
 *
 *   (a) naive     one transaction per claim, conditional UPDATE of a stock counter
 *   (b) alone     the engine without batching (`claimAlone`): unit rows, SKIP LOCKED
 *   (c) engine    the engine (`submitClaim`): concurrent claims batched + SKIP LOCKED
 *   (d) http      the engine through the running app: POST /api/v1/drops/{id}/claims, once
 *                 through Next.js's router and once by the web server's direct dispatch
 *
 * Each DB variant gets its own hot drop (one prize, 100,000 units) and 256 concurrent claimers
 * over the same pool size, with durable commits. Options:
 *   --claims N          claims per DB variant (default 30000)
 *   --concurrency N     concurrent claimers (default 256)
 *   --pool N            connections per DB variant (default 32)
 *   --units N           units per hot drop (default 100000)
 *   --skip-db           only the HTTP part
 *   --skip-http         only the database part
 *   --requests N        HTTP requests per path (default 20000), --connections N (default 256)
 *   --http-paths LIST   next,direct (default both), or one of them; `paused` adds direct claims
 *                       with the worker stopped (SIGSTOP) meanwhile: the claim request's own cost
 *   --statements N      the app's PostgreSQL with pg_stat_statements: per path, its top N
 *                       statements per claim (with the worker's), and the CPU until the jobs the
 *                       claims made are done ("+ drain")
 *   --web-processes L   WEB_PROCESSES for the app's web server (default 1); a list (1,2) runs
 *                       the HTTP part once per count, each on a fresh app
 *   --cluster L         instead, the app as `npm run start:cluster` runs it: L web instances
 *                       behind HAProxy, a list (1,2) once per count, each on a fresh cluster
 *   --app-port P --app-pg-port P --app-chain-port P   where the app it starts listens (3200,
 *                       54359, 8556; a cluster's instances on P+1, P+2, …)
 *   --rate N            then direct claims arriving at N a second (open loop); by default half
 *                       the DB engine's claims/s when the DB part ran, 0 for none
 *   --url URL --seed-file FILE   drive an already running app seeded with `npm run seed:load`
 *   --cpu-prof          run the app's processes with --cpu-prof (profiles in <data>/profiles)
 * DATABASE_URL: use that database for the DB part instead of a fresh embedded PostgreSQL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createDb } from "@/db/client";
import { claimAlone, submitClaim } from "@/lib/claims/claim-engine";
import { resetDir, startApp } from "./bench/app";
import { openBenchDatabase } from "./bench/database";
import { httpLoad, warmUp } from "./bench/http-load";
import { machineInfo } from "./bench/machine";
import {
  closedLoop,
  clusterCpuSeconds,
  fmt,
  type Measured,
  machineCpu,
  measureClosedLoop,
  processCpuSeconds,
  sampleWaits,
} from "./bench/measure";
import {
  createNaiveDrop,
  engineIntegrity,
  type Integrity,
  naiveClaim,
  naiveIntegrity,
  setupNaive,
} from "./bench/naive";
import { loadBenchOptions } from "./bench/options";
import { createHotDrop, createPlayers, type LoadSeed, seedLoad } from "./bench/seed";
import {
  pauseWorker,
  preloadStatements,
  printStatements,
  readStatements,
  resetStatements,
  resumeWorker,
  type StatementRow,
  waitForJobs,
} from "./bench/statements";

const { values: args } = parseArgs({
  options: {
    claims: { type: "string", default: "30000" },
    units: { type: "string", default: "100000" },
    ...loadBenchOptions({ requests: 20_000, pgPort: 54369 }),
    url: { type: "string" },
    "seed-file": { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    engine: { type: "string" },
    "http-paths": { type: "string", default: "next,direct" },
    rate: { type: "string" },
    "web-processes": { type: "string", default: "1" },
    cluster: { type: "string" },
    "app-port": { type: "string", default: "3200" },
    "app-pg-port": { type: "string", default: "54359" },
    "app-chain-port": { type: "string", default: "8556" },
    statements: { type: "string", default: "0" },
  },
});

const CLAIMS = Number(args.claims);
const CONCURRENCY = Number(args.concurrency);
const POOL = Number(args.pool);
const UNITS = Number(args.units);
const REQUESTS = Number(args.requests);
const CONNECTIONS = Number(args.connections);
const APP = "prizeledger";
const WARM_UP = 512;
const SELLOUT_UNITS = 500;
const STATEMENTS = Number(args.statements);

const log = (line: string) => console.log(`[bench] ${line}`);

type Variant = Measured & {
  name: string;
  label: string;
  integrity: Integrity;
  sellout: Integrity & { ok: number };
};

async function serverFacts(sql: postgres.Sql): Promise<string> {
  const rows = await sql<Array<{ name: string; setting: string }>>`
    select name, setting from pg_settings
    where name in ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes',
                   'commit_delay', 'shared_buffers', 'max_connections', 'server_version')
    order by name`;
  return rows.map((r) => `${r.name}=${r.setting}`).join(" ");
}

let pgDataDir: string | undefined;

function measured(
  sql: postgres.Sql,
  total: number,
  claim: (i: number) => Promise<boolean>,
): Promise<Measured> {
  return measureClosedLoop({
    sql,
    applicationName: APP,
    pgDataDir,
    total,
    concurrency: CONCURRENCY,
    work: claim,
  });
}

async function dbPart(): Promise<Variant[]> {
  const database = await openBenchDatabase("run", Number(args["pg-port"]), log);
  const { url } = database;
  pgDataDir = database.pgDataDir;
  try {
    const admin = createDb(url, 2);
    log(`server: ${await serverFacts(admin.sql)}`);
    await setupNaive(admin.sql);

    const t0 = performance.now();
    const players = await createPlayers(admin.sql, CLAIMS + WARM_UP, { tokens: false });
    const ids = players.map((p) => p.id);
    const main = ids.slice(WARM_UP);
    const warm = ids.slice(0, WARM_UP);
    const sellers = ids.slice(0, 2 * SELLOUT_UNITS);
    log(`created ${players.length} players in ${fmt((performance.now() - t0) / 1000)} s`);

    const variants: Variant[] = [];
    const prepare = async (id: string) => {
      await admin.sql`vacuum analyze drop_units`;
      await admin.sql`checkpoint`;
      return id;
    };

    // (a) naive
    {
      const pool = postgres(url, {
        max: POOL,
        onnotice: () => {},
        connection: { application_name: APP },
      });
      const warmDrop = await createNaiveDrop(pool, UNITS);
      await closedLoop(WARM_UP, CONCURRENCY, (i) => naiveClaim(pool, warmDrop, warm[i] as string));
      const dropId = await prepare(await createNaiveDrop(pool, UNITS));
      log(`naive: ${CLAIMS} claims on drop ${dropId}…`);
      const m = await measured(admin.sql, CLAIMS, (i) =>
        naiveClaim(pool, dropId, main[i] as string),
      );
      const soldDrop = await createNaiveDrop(pool, SELLOUT_UNITS);
      const sold = await closedLoop(sellers.length, CONCURRENCY, (i) =>
        naiveClaim(pool, soldDrop, sellers[i] as string),
      );
      variants.push({
        name: "naive",
        label: "naive: 1 tx/claim, UPDATE counter",
        ...m,
        integrity: await naiveIntegrity(admin.sql, dropId),
        sellout: { ...(await naiveIntegrity(admin.sql, soldDrop)), ok: sold.ok },
      });
      await pool.end();
    }

    // (b) engine without batching, (c) engine
    // --engine PATH: a scratch copy of the engine, to measure a proposed change.
    const mod: Pick<typeof import("@/lib/claims/claim-engine"), "claimAlone" | "submitClaim"> =
      args.engine ? await import(path.resolve(args.engine)) : { claimAlone, submitClaim };
    if (args.engine) log(`engine from ${args.engine}`);
    const engines = [
      { name: "alone", label: "engine, no batching (claimAlone)", fn: mod.claimAlone },
      { name: "engine", label: "engine (submitClaim: batch + SKIP LOCKED)", fn: mod.submitClaim },
    ];
    for (const e of engines) {
      const { db, sql } = createDb(url, POOL);
      // No client address: the claimers stand for 30,000 different clients, and one shared
      // address would meet the per-address claim limit (rateRules.claimPerIp) after 120 claims.
      const claim = (dropId: string, playerId: string) =>
        e.fn(db, { dropId, playerId, userAgent: "bench-claims" }).then((o) => o.ok);
      const warmDrop = await createHotDrop(db, WARM_UP, `bench warm-up ${e.name}`);
      await closedLoop(WARM_UP, CONCURRENCY, (i) => claim(warmDrop, warm[i] as string));
      const dropId = await prepare(await createHotDrop(db, UNITS, `bench ${e.name}`));
      log(`${e.name}: ${CLAIMS} claims on drop ${dropId}…`);
      const m = await measured(admin.sql, CLAIMS, (i) => claim(dropId, main[i] as string));
      const soldDrop = await createHotDrop(db, SELLOUT_UNITS, `bench sell-out ${e.name}`);
      const sold = await closedLoop(sellers.length, CONCURRENCY, (i) =>
        claim(soldDrop, sellers[i] as string),
      );
      variants.push({
        name: e.name,
        label: e.label,
        ...m,
        integrity: await engineIntegrity(admin.sql, dropId),
        sellout: { ...(await engineIntegrity(admin.sql, soldDrop)), ok: sold.ok },
      });
      await sql.end();
    }
    await admin.sql.end();
    return variants;
  } finally {
    await database.close();
  }
}

function printDb(variants: Variant[]): void {
  const naive = variants.find((v) => v.name === "naive");
  const col = (s: string) => s.padStart(14);
  const rows: Array<[string, (v: Variant) => string]> = [
    ["claims/s", (v) => fmt(v.run.perSecond, 0)],
    ["× naive", (v) => (naive ? `${fmt(v.run.perSecond / naive.run.perSecond, 2)}×` : "-")],
    ["p50 ms", (v) => fmt(v.run.p50)],
    ["p95 ms", (v) => fmt(v.run.p95)],
    ["p99 ms", (v) => fmt(v.run.p99)],
    ["max ms", (v) => fmt(v.run.max)],
    ["granted", (v) => String(v.run.ok)],
    ["refused/errors", (v) => `${v.run.refused}/${v.run.errors}`],
    ["rows in DB", (v) => String(v.integrity.granted)],
    ["oversold", (v) => String(v.integrity.oversold)],
    ["dup units", (v) => String(v.integrity.duplicateUnits)],
    ["dup players", (v) => String(v.integrity.duplicatePlayers)],
    ["stock mismatch", (v) => String(v.integrity.mismatched)],
    [
      `sell-out ${SELLOUT_UNITS}/${2 * SELLOUT_UNITS}`,
      (v) => `${v.sellout.granted} ok, ${v.sellout.oversold} over`,
    ],
    ["seconds", (v) => fmt(v.run.seconds)],
    ["postgres CPU s", (v) => fmt(v.pgCpu)],
    ["bench CPU s", (v) => fmt(v.benchCpu)],
    ["machine busy", (v) => `${fmt(v.machineBusy * 100, 0)}%`],
  ];
  console.log(
    `\nDatabase layer: ${CLAIMS} claims per variant, ${CONCURRENCY} concurrent claimers, ` +
      `pool ${POOL}, hot drop of ${UNITS} units, durable commits`,
  );
  console.log(`${"".padEnd(22)}${variants.map((v) => col(v.name)).join("")}`);
  for (const [name, f] of rows)
    console.log(`${name.padEnd(22)}${variants.map((v) => col(f(v))).join("")}`);
  for (const v of variants) console.log(`  ${v.name.padEnd(7)} = ${v.label}`);
  console.log("\nActive backends by wait event (average number of backends; CPU = not waiting):");
  for (const v of variants) {
    const top = v.waits
      .slice(0, 5)
      .map(([w, n]) => `${w} ${fmt(n)}`)
      .join(", ");
    console.log(`  ${v.name.padEnd(7)} ${top}`);
  }
  const engine = variants.find((v) => v.name === "engine");
  const alone = variants.find((v) => v.name === "alone");
  if (naive && engine && alone) {
    const ratio = engine.run.perSecond / naive.run.perSecond;
    console.log(
      `\nengine / naive = ${fmt(ratio, 2)}× (target ≥ 3×: ${ratio >= 3 ? "met" : "MISSED"}); ` +
        `no batching / naive = ${fmt(alone.run.perSecond / naive.run.perSecond, 2)}×`,
    );
  }
  const bad = variants.filter(
    (v) =>
      v.integrity.oversold + v.integrity.duplicateUnits + v.integrity.duplicatePlayers > 0 ||
      v.integrity.mismatched > 0 ||
      v.integrity.granted !== v.run.ok ||
      v.sellout.granted !== SELLOUT_UNITS ||
      v.sellout.ok !== SELLOUT_UNITS,
  );
  console.log(
    bad.length === 0
      ? "integrity: 0 oversold, 0 duplicate units, 0 duplicate players; sell-outs exact"
      : `integrity: PROBLEM in ${bad.map((v) => v.name).join(", ")}`,
  );
}

type HttpVariant = {
  name: string;
  label: string;
  dropId: string;
  result: Awaited<ReturnType<typeof httpLoad>>;
  webCpu: number;
  /** CPU seconds of the load balancer (NaN without one). */
  balancerCpu: number;
  pgCpu: number;
  machineBusy: number;
  /** Busy CPU seconds of the whole machine: what the app and the bench did not use, others did. */
  machineBusySeconds: number;
  waits?: Array<[string, number]>;
  integrity?: Integrity;
  /** With --statements: PostgreSQL's CPU seconds until the claims' jobs were done, and when. */
  drained?: { pgCpu: number; seconds: number };
  /** With --statements: what ran during the load, and (paused worker) what the worker did after. */
  statements?: { load: StatementRow[]; after?: StatementRow[] };
};

/**
 * The same claims over HTTP twice, in one run on one app: through Next's router, and through the
 * web server's direct dispatch of the route (scripts/web-server.ts). A cookie header is what
 * sends a bearer-token claim through Next, which then runs the very same route handler.
 */
type HttpPath = {
  name: string;
  label: string;
  cookie?: string;
  rate?: number;
  pauseWorker?: boolean;
};
const HTTP_PATHS: HttpPath[] = [
  { name: "next", label: "through Next.js's router", cookie: "bench=next" },
  { name: "direct", label: "direct dispatch to the route handler" },
  {
    name: "paused",
    label: "direct, the worker stopped (SIGSTOP) during the load: the claim request alone",
    pauseWorker: true,
  },
];

/** How the app serves: WEB_PROCESSES of one server, or web instances behind the balancer. */
type AppShape = { webProcesses: number; cluster?: number };

async function httpPart(engineRate: number | undefined, shape: AppShape): Promise<HttpVariant[]> {
  let seed: LoadSeed;
  let baseUrl: string;
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let databaseUrl: string | undefined;
  const dataDir = ".data/bench-http";
  const paths = HTTP_PATHS.filter((h) => args["http-paths"].split(",").includes(h.name));
  if (args.url && (STATEMENTS > 0 || paths.some((h) => h.pauseWorker))) {
    throw new Error("--statements and the paused path need the app the bench starts, not --url");
  }
  const rate = args.rate === undefined ? (engineRate ?? 0) / 2 : Number(args.rate);
  if (rate > 0) {
    paths.push({
      name: `direct@${fmt(rate, 0)}`,
      label: `direct, claims arriving at ${fmt(rate, 0)}/s (open loop: latency from when due)`,
      rate,
    });
  }
  const perPath = REQUESTS + WARM_UP;
  if (args.url) {
    if (!args["seed-file"]) throw new Error("--url needs --seed-file (from npm run seed:load)");
    seed = JSON.parse(fs.readFileSync(args["seed-file"], "utf8")) as LoadSeed;
    baseUrl = args.url;
    databaseUrl = process.env.DATABASE_URL?.trim();
  } else {
    resetDir(dataDir);
    const port = Number(args["app-port"]);
    const what = shape.cluster
      ? `${shape.cluster} web instances behind HAProxy`
      : `${shape.webProcesses} web process(es)`;
    if (STATEMENTS > 0) {
      await preloadStatements(path.join(dataDir, "postgres"), Number(args["app-pg-port"]));
    }
    log(`starting the app (embedded PostgreSQL, chain, worker, ${what}) on port ${port}…`);
    const started = performance.now();
    app = await startApp({
      dataDir,
      port,
      pgPort: Number(args["app-pg-port"]),
      chainPort: Number(args["app-chain-port"]),
      distDir: ".data/bench-next",
      ...shape,
      nodeOptions: args["cpu-prof"]
        ? `--cpu-prof --cpu-prof-dir=${path.resolve(dataDir, "profiles")}`
        : undefined,
      log,
    });
    log(`app up in ${fmt((performance.now() - started) / 1000)} s`);
    baseUrl = app.baseUrl;
    databaseUrl = app.databaseUrl;
    const { db, sql } = createDb(databaseUrl, 4);
    seed = await seedLoad(db, sql, { players: perPath * paths.length, units: UNITS });
    fs.writeFileSync(path.join(dataDir, "load.json"), JSON.stringify(seed));
    await sql.end();
  }
  const out: HttpVariant[] = [];
  for (const [k, h] of paths.entries()) {
    // Each path claims its own drop with its own players: the second run meets no claims of the
    // first, and a claim refused as a repeat could not hide among them.
    let dropId = seed.dropId;
    if (k > 0 && databaseUrl) {
      const { db, sql } = createDb(databaseUrl, 2);
      dropId = await createHotDrop(db, UNITS, `Load drop ${h.name}`);
      await sql.end();
    }
    const tokens = seed.players.slice(k * perPath, (k + 1) * perPath).map((p) => p.token);
    await warmUp(baseUrl, dropId, tokens.slice(0, WARM_UP), h.cookie);
    const measuredTokens = tokens.slice(WARM_UP);
    const requests = Math.min(REQUESTS, measuredTokens.length);
    const sampler = databaseUrl ? postgres(databaseUrl, { max: 1, onnotice: () => {} }) : undefined;
    const stopWaits = sampler ? sampleWaits(sampler, APP) : undefined;
    const webPids = app?.webPids() ?? [];
    const balancerPids = app?.balancerPids() ?? [];
    const cpuOf = (pids: number[]) => () =>
      pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
    const webCpu = cpuOf(webPids);
    const balancerCpu = cpuOf(balancerPids);
    const web0 = webCpu();
    const balancer0 = balancerCpu();
    const appPgDir = app ? path.join(dataDir, "postgres") : undefined;
    const pg0 = clusterCpuSeconds(appPgDir);
    const workerPids = app?.workerPids() ?? [];
    // The warm-up's jobs, and an earlier path's, are done before this path is measured.
    if (sampler && drains(h) && !(await waitForJobs(sampler, DRAIN_MS))) {
      log(`${h.name}: earlier jobs were not done after ${DRAIN_MS / 1000} s`);
    }
    if (sampler && STATEMENTS > 0) await resetStatements(sampler);
    if (sampler && h.pauseWorker) await pauseWorker(sampler, workerPids);
    const m0 = machineCpu();
    log(`HTTP ${h.name}: ${requests} requests, ${CONNECTIONS} connections, ${baseUrl}…`);
    const result = await httpLoad({
      baseUrl,
      dropId,
      tokens: measuredTokens,
      connections: CONNECTIONS,
      requests,
      cookie: h.cookie,
      firstAddress: k * 1_000_000,
      rate: h.rate,
    });
    const m1 = machineCpu();
    const pg1 = clusterCpuSeconds(appPgDir);
    const waits = stopWaits ? await stopWaits() : undefined;
    const after = sampler ? await afterLoad(sampler, h, workerPids) : {};
    out.push({
      name: h.name,
      label: h.label,
      dropId,
      result,
      webCpu: webPids.length > 0 ? webCpu() - web0 : Number.NaN,
      balancerCpu: balancerPids.length > 0 ? balancerCpu() - balancer0 : Number.NaN,
      pgCpu: pg1 - pg0,
      machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
      machineBusySeconds: m1.busy - m0.busy,
      waits: waits?.share,
      integrity: sampler ? await engineIntegrity(sampler, dropId) : undefined,
      drained: after.drainedAt && {
        pgCpu: after.drainedAt.pgCpu - pg0,
        seconds: after.drainedAt.seconds,
      },
      statements: after.statements,
    });
    await sampler?.end();
  }
  if (app) {
    log("stopping the app…");
    await app.stop();
  }
  return out;
}

const DRAIN_MS = 900_000;
const drains = (h: HttpPath) => STATEMENTS > 0 || h.pauseWorker === true;

/**
 * After a path's load: its statements, the worker resumed when it was paused, and (with
 * --statements or a paused worker) a wait until the jobs its claims made are done, so that one
 * path's work does not spill into the next one's figures.
 */
async function afterLoad(
  sql: postgres.Sql,
  h: HttpPath,
  workerPids: number[],
): Promise<{
  drainedAt?: { pgCpu: number; seconds: number };
  statements?: HttpVariant["statements"];
}> {
  const load = STATEMENTS > 0 ? await readStatements(sql) : undefined;
  if (h.pauseWorker) {
    if (load) await resetStatements(sql);
    resumeWorker(workerPids);
  }
  if (!drains(h)) return {};
  const started = performance.now();
  const done = await waitForJobs(sql, DRAIN_MS);
  if (!done) log(`${h.name}: the jobs were not done after ${DRAIN_MS / 1000} s`);
  const drainedAt = {
    pgCpu: clusterCpuSeconds(path.join(".data/bench-http", "postgres")),
    seconds: done ? (performance.now() - started) / 1000 : Number.NaN,
  };
  if (!load) return { drainedAt };
  return {
    drainedAt,
    statements: { load, after: h.pauseWorker ? await readStatements(sql) : undefined },
  };
}

function printHttp(variants: HttpVariant[], db: Variant[]): void {
  const engine = db.find((v) => v.name === "engine");
  const col = (text: string) => text.padStart(16);
  const rows: Array<[string, (v: HttpVariant) => string]> = [
    ["claims/s", (v) => fmt(v.result.perSecond, 0)],
    [
      `× ${variants[0]?.name ?? ""}`,
      (v) => `${fmt(v.result.perSecond / (variants[0]?.result.perSecond ?? 1), 2)}×`,
    ],
    [
      "% of DB engine",
      (v) => (engine ? `${fmt((v.result.perSecond / engine.run.perSecond) * 100, 0)}%` : "-"),
    ],
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
    ["web CPU ms/claim", (v) => fmt((v.webCpu / v.result.claims) * 1000, 2)],
    ["web CPU s", (v) => fmt(v.webCpu)],
    ["balancer CPU s", (v) => (Number.isNaN(v.balancerCpu) ? "-" : fmt(v.balancerCpu))],
    ["postgres CPU s", (v) => fmt(v.pgCpu)],
    ["postgres ms/claim", (v) => fmt((v.pgCpu / v.result.claims) * 1000, 2)],
    ...(variants.some((v) => v.drained)
      ? ([
          ["postgres CPU s +drain", (v) => (v.drained ? fmt(v.drained.pgCpu) : "-")],
          [
            "pg ms/claim +drain",
            (v) => (v.drained ? fmt((v.drained.pgCpu / v.result.claims) * 1000, 2) : "-"),
          ],
          ["drain seconds", (v) => (v.drained ? fmt(v.drained.seconds) : "-")],
        ] as Array<[string, (v: HttpVariant) => string]>)
      : []),
    ["load gen CPU s", (v) => fmt(v.result.cpuSeconds)],
    ["machine busy", (v) => `${fmt(v.machineBusy * 100, 0)}%`],
    [
      "other CPU s",
      (v) =>
        fmt(
          v.machineBusySeconds -
            v.webCpu -
            (Number.isNaN(v.balancerCpu) ? 0 : v.balancerCpu) -
            v.pgCpu -
            v.result.cpuSeconds,
        ),
    ],
    ["seconds", (v) => fmt(v.result.seconds)],
    ["rows in DB", (v) => String(v.integrity?.granted ?? "-")],
    ["oversold", (v) => String(v.integrity?.oversold ?? "-")],
    [
      "dup units/players",
      (v) => `${v.integrity?.duplicateUnits ?? "-"}/${v.integrity?.duplicatePlayers ?? "-"}`,
    ],
  ];
  console.log(
    `\nHTTP: POST /api/v1/drops/{id}/claims, ${REQUESTS} requests per path, ${CONNECTIONS} ` +
      "keep-alive connections, distinct players (bearer tokens), 4 players per client address, " +
      (args.cluster
        ? `web instances behind HAProxy: ${args.cluster} (name/Nw: N instances)`
        : `web processes: ${args["web-processes"]} (name/Np: N processes)`),
  );
  console.log(`${"".padEnd(20)}${variants.map((v) => col(v.name)).join("")}`);
  for (const [name, f] of rows) {
    console.log(`${name.padEnd(20)}${variants.map((v) => col(f(v))).join("")}`);
  }
  for (const v of variants) console.log(`  ${v.name.padEnd(7)} = ${v.label}`);
  for (const v of variants) {
    if (v.result.firstError) console.log(`  ${v.name} first error: ${v.result.firstError}`);
    if (v.waits) {
      const top = v.waits
        .slice(0, 4)
        .map(([w, n]) => `${w} ${fmt(n, 2)}`)
        .join(", ");
      console.log(`  ${v.name} DB waits: ${top}`);
    }
  }
  const bad = variants.filter(
    (v) =>
      v.integrity &&
      (v.integrity.oversold + v.integrity.duplicateUnits + v.integrity.duplicatePlayers > 0 ||
        v.integrity.mismatched > 0 ||
        v.integrity.granted !== v.result.ok + WARM_UP),
  );
  console.log(
    bad.length === 0
      ? "integrity: every 201 is one redemption row; 0 oversold, 0 duplicate units or players"
      : `integrity: PROBLEM in ${bad.map((v) => v.name).join(", ")}`,
  );
  const directs = variants.filter((v) => v.name.startsWith("direct") && !v.name.includes("@"));
  for (const direct of engine ? directs : []) {
    const share = direct.result.perSecond / (engine as Variant).run.perSecond;
    const met = share >= 0.5 && direct.result.p99 <= 100;
    // Closed loop, latency is connections ÷ throughput (Little's law): p99 ≤ 100 ms at 256
    // connections needs 2,560 claims/s whatever the server does with them.
    console.log(
      `target for ${direct.name} (≥ 50% of the DB engine's claims/s, p99 ≤ 100 ms at ` +
        `${CONNECTIONS} connections): ${fmt(share * 100, 0)}%, p99 ${fmt(direct.result.p99)} ms: ` +
        `${met ? "met" : "MISSED"} (closed loop, mean latency = ${CONNECTIONS} ÷ claims/s = ` +
        `${fmt((CONNECTIONS / direct.result.perSecond) * 1000, 0)} ms)`,
    );
  }
  printSplitEstimate(variants);
  for (const v of variants) {
    if (!v.statements) continue;
    const claims = v.result.claims;
    printStatements(`${v.name} during the load`, v.statements.load, claims, STATEMENTS);
    if (v.statements.after) {
      printStatements(
        `${v.name}, the worker after it resumed`,
        v.statements.after,
        claims,
        STATEMENTS,
      );
    }
  }
}

/**
 * What a column would do with PostgreSQL on a machine of its own, from the CPU each side spent
 * per claim: the web side (instances and balancer) with all of this machine's cores, the
 * database with as many of its own; the slower side sets the pace. CPU only: it leaves out the
 * network round trip between the two and the time the batches spend taking turns.
 */
function printSplitEstimate(variants: HttpVariant[]): void {
  const cores = os.availableParallelism();
  for (const v of variants) {
    const claims = v.result.claims;
    const webMs = ((v.webCpu + (Number.isNaN(v.balancerCpu) ? 0 : v.balancerCpu)) / claims) * 1000;
    const pgMs = (v.pgCpu / claims) * 1000;
    if (!(webMs > 0 && pgMs > 0)) continue;
    const web = (cores * 1000) / webMs;
    const database = (cores * 1000) / pgMs;
    console.log(
      `database on its own ${cores}-core machine, ${v.name}: web side ${fmt(webMs, 2)} ms/claim ` +
        `→ ${fmt(web, 0)}/s on ${cores} cores, PostgreSQL ${fmt(pgMs, 2)} ms/claim → ` +
        `${fmt(database, 0)}/s: about ${fmt(Math.min(web, database), 0)} claims/s ` +
        `(${web < database ? "web-bound" : "database-bound"}; measured here ${fmt(v.result.perSecond, 0)}/s)`,
    );
  }
}

async function main(): Promise<void> {
  console.log(`bench:claims on ${machineInfo()}`);
  const db = args["skip-db"] ? [] : await dbPart();
  if (db.length > 0) printDb(db);
  const engine = db.find((v) => v.name === "engine");
  if (!args["skip-http"]) {
    // Several web process or instance counts: one app each, in turn, each path's columns named
    // by its count.
    const cluster = args.cluster !== undefined;
    if (cluster && args["web-processes"] !== "1") {
      throw new Error("--cluster runs one process per instance: leave out --web-processes");
    }
    const counts = (args.cluster ?? args["web-processes"]).split(",").map(Number);
    if (!counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 32)) {
      throw new Error(
        `--${cluster ? "cluster" : "web-processes"} takes counts from 1 to 32, e.g. 1,2`,
      );
    }
    const variants: HttpVariant[] = [];
    for (const n of counts) {
      const shape = cluster ? { webProcesses: 1, cluster: n } : { webProcesses: n };
      const some = await httpPart(engine?.run.perSecond, shape);
      const suffix = cluster ? `/${n}w` : `/${n}p`;
      variants.push(
        ...(counts.length > 1 || cluster
          ? some.map((v) => ({ ...v, name: v.name + suffix }))
          : some),
      );
    }
    printHttp(variants, db);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:claims failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
