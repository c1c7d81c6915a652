/**
 * `npm run bench:delivery`: claim → delivered through the gift-card provider, side by side in one
 * run on one database.
 *
 *   (a) serial    one delivery at a time (DELIVERY_CONCURRENCY=1): what a plain loop would do
 *   (b) pipeline  the delivery queue with DELIVERY_CONCURRENCY jobs in flight
 *
 * Each variant gets a drop of its own whose gift cards the local provider issues (a process of
 * its own, every answer delayed by --latency ms), and a delivery worker process of its own (the
 * outbox relay and the queue, scripts/bench/delivery-worker.ts). Claims arrive at --rate a second
 * (open loop) through the claim engine; the figures are read from the database afterwards:
 * claim → delivered is deliveries.delivered_at − redemptions.created_at, on the server's clock.
 * Options:
 *   --claims N           claims for the pipeline (default 5000)
 *   --baseline-claims N  claims for the serial baseline (default 100)
 *   --rate N             claims a second (default 500)
 *   --latency MS         the provider's answer delay (default 200)
 *   --concurrency N      deliveries in flight in the pipeline (default 200)
 *   --outage S           then a third run: the provider is killed (SIGKILL) when half the claims
 *                        are in and comes back S seconds later on its own storage (default 30;
 *                        0 for none). Every order must be delivered once.
 * DATABASE_URL: use that database instead of a fresh embedded PostgreSQL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { sql as dsql } from "drizzle-orm";
import { createDb, type Db } from "@/db/client";
import { submitClaim } from "@/lib/claims/claim-engine";
import {
  startGiftCardProvider,
  TEST_GIFTCARD_API_KEY,
  TEST_GIFTCARD_WEBHOOK_SECRET,
} from "@/test/giftcard-provider";
import { openBenchDatabase } from "./bench/database";
import { machineInfo } from "./bench/machine";
import { clusterCpuSeconds, fmt, machineCpu, processCpuSeconds } from "./bench/measure";
import { createHotDrop, createPlayers } from "./bench/seed";
import { freePort } from "./lib/free-port";

const { values: args } = parseArgs({
  options: {
    claims: { type: "string", default: "5000" },
    "baseline-claims": { type: "string", default: "100" },
    rate: { type: "string", default: "500" },
    latency: { type: "string", default: "200" },
    concurrency: { type: "string", default: "200" },
    outage: { type: "string", default: "30" },
  },
});
const rate = Number(args.rate);
const latencyMs = Number(args.latency);
const log = (line: string) => console.log(`[bench:delivery] ${line}`);

type Figures = {
  name: string;
  concurrency: number;
  claims: number;
  claimed: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  claimSeconds: number;
  /** Orders the provider made for this run's claims (one per claim when none was doubled). */
  orders: number;
  /** CPU seconds per delivery: the worker, the provider, PostgreSQL; the machine's busy share. */
  cpu: { worker: number; provider: number; postgres: number; busy: number };
};

/** A drop of `units` gift cards ordered from the provider, and one player per unit. */
async function setUp(db: Db, units: number, title: string) {
  const dropId = await createHotDrop(db, units, title);
  await db.execute(dsql`
    update prizes set kind = 'gift_card', delivery_provider = 'giftcard',
                      provider_product = 'amazon-us', value_cents = 2500
    where id in (select prize_id from drop_pools where drop_id = ${dropId})`);
  const players = await createPlayers(sqlOf(db), units, { tokens: false });
  return { dropId, players };
}

function sqlOf(db: Db) {
  return (db as unknown as { $client: Parameters<typeof createPlayers>[0] }).$client;
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  // Node itself with tsx's loader (not tsx's command, a wrapper): its CPU time is the worker's.
  const loader = ["--import", "tsx", "--import", "./scripts/lib/server-only-noop.mjs"];
  const child = spawn(process.execPath, [...loader, "scripts/bench/delivery-worker.ts"], {
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("delivery worker ready")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`the delivery worker exited (${code})`)));
  });
}

type Provider = { url: string; pid: number; stats(): Promise<{ orders: number }> };

async function runVariant(
  db: Db,
  databaseUrl: string,
  provider: Provider,
  name: string,
  concurrency: number,
  claims: number,
  /** Called when half the claims are sent (the outage run kills the provider then). */
  halfway?: () => void,
): Promise<Figures> {
  const ordersBefore = (await provider.stats()).orders;
  const { dropId, players } = await setUp(db, claims, `Delivery ${name}`);
  const worker = await startWorker({
    DATABASE_URL: databaseUrl,
    GIFTCARD_PROVIDER_URL: provider.url,
    GIFTCARD_PROVIDER_API_KEY: TEST_GIFTCARD_API_KEY,
    GIFTCARD_PROVIDER_WEBHOOK_SECRET: TEST_GIFTCARD_WEBHOOK_SECRET,
    DELIVERY_CONCURRENCY: String(concurrency),
  });
  log(`${name}: ${claims} claims at ${rate}/s, ${concurrency} deliveries in flight`);
  const cpuBefore = {
    provider: processCpuSeconds(provider.pid),
    postgres: clusterCpuSeconds(database.pgDataDir),
    machine: machineCpu(),
  };
  const started = performance.now();
  const pending: Array<Promise<unknown>> = [];
  for (const [i, player] of players.entries()) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(submitClaim(db, { dropId, playerId: player.id }).catch((e: Error) => e));
    if (i === Math.floor(players.length / 2)) halfway?.();
  }
  const outcomes = await Promise.all(pending);
  const claimSeconds = (performance.now() - started) / 1000;
  const claimed = outcomes.filter((o) => !(o instanceof Error)).length;
  // Until every claim's delivery is settled, or nothing has moved for three minutes.
  let last = -1;
  let still = Date.now();
  for (;;) {
    const [row] = await db.execute<{ open: number }>(dsql`
      select count(*)::int as open from deliveries d join redemptions r on r.id = d.redemption_id
      where r.drop_id = ${dropId} and d.status not in ('delivered', 'dead', 'cancelled')`);
    const open = row?.open ?? 0;
    if (open === 0) break;
    if (open !== last) {
      last = open;
      still = Date.now();
    } else if (Date.now() - still > 180_000) {
      log(`${name}: ${open} deliveries still open after three minutes without progress`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const orders = (await provider.stats()).orders - ordersBefore;
  const machine = machineCpu();
  const cpuUsed = {
    worker: processCpuSeconds(worker.pid as number),
    provider: processCpuSeconds(provider.pid) - cpuBefore.provider,
    postgres: clusterCpuSeconds(database.pgDataDir) - cpuBefore.postgres,
    busy: (machine.busy - cpuBefore.machine.busy) / (machine.total - cpuBefore.machine.total || 1),
  };
  worker.kill("SIGTERM");
  const [stats] = await db.execute<{
    delivered: number;
    p50: number | null;
    p99: number | null;
    max: number | null;
    span: number | null;
  }>(dsql`
    select count(*)::int as delivered,
           percentile_cont(0.5) within group (order by ms) as p50,
           percentile_cont(0.99) within group (order by ms) as p99,
           max(ms) as max,
           extract(epoch from max(delivered_at) - min(created_at)) as span
    from (select extract(epoch from d.delivered_at - r.created_at) * 1000 as ms,
                 d.delivered_at, r.created_at
          from deliveries d join redemptions r on r.id = d.redemption_id
          where r.drop_id = ${dropId} and d.status = 'delivered') t`);
  const [waits] = await db.execute<{ relay: number | null; queue: number | null }>(dsql`
    select percentile_cont(0.5) within group (order by extract(epoch from j.created_on - r.created_at) * 1000) as relay,
           percentile_cont(0.5) within group (order by extract(epoch from j.started_on - j.created_on) * 1000) as queue
    from pgboss.job j join redemptions r on r.id = (j.data->>'redemptionId')::uuid
    where j.name = 'delivery' and r.drop_id = ${dropId}`);
  log(
    `${name}: p50 outbox → queue ${fmt(Number(waits?.relay), 0)} ms, queue → started ${fmt(Number(waits?.queue), 0)} ms`,
  );
  const delivered = stats?.delivered ?? 0;
  return {
    name,
    concurrency,
    claims,
    claimed,
    delivered,
    p50: Number(stats?.p50 ?? Number.NaN),
    p99: Number(stats?.p99 ?? Number.NaN),
    max: Number(stats?.max ?? Number.NaN),
    perSecond: delivered / Number(stats?.span ?? Number.NaN),
    claimSeconds,
    orders,
    cpu: {
      worker: cpuUsed.worker / delivered,
      provider: cpuUsed.provider / delivered,
      postgres: cpuUsed.postgres / delivered,
      busy: cpuUsed.busy,
    },
  };
}

const database = await openBenchDatabase("delivery", 55_433, log);
let provider = await startGiftCardProvider({ faults: { latencyMs }, port: await freePort() });
const { db, sql } = createDb(database.url, 32);
const results: Figures[] = [];
try {
  log(machineInfo());
  log(`gift-card provider ${provider.url}, every answer after ${latencyMs} ms`);
  results.push(
    await runVariant(db, database.url, provider, "serial", 1, Number(args["baseline-claims"])),
  );
  results.push(
    await runVariant(
      db,
      database.url,
      provider,
      "pipeline",
      Number(args.concurrency),
      Number(args.claims),
    ),
  );
  const outage = Number(args.outage);
  if (outage > 0) {
    // The same process, port and storage, killed and started again: what a crash and a
    // restart of a real provider's region looks like from here.
    const port = new URL(provider.url).port;
    let back: Promise<void> = Promise.resolve();
    const live: Provider = {
      url: provider.url,
      get pid() {
        return provider.pid;
      },
      stats: () => back.then(() => provider.stats()),
    };
    results.push(
      await runVariant(
        db,
        database.url,
        live,
        `outage ${outage}s`,
        Number(args.concurrency),
        Number(args.claims),
        () => {
          log(`provider killed; back in ${outage} s`);
          back = provider.stop("SIGKILL").then(async () => {
            await new Promise((r) => setTimeout(r, outage * 1000));
            provider = await startGiftCardProvider({
              faults: { latencyMs },
              dataDir: provider.dataDir,
              port: Number(port),
            });
            log("provider back");
          });
        },
      ),
    );
  }
  console.log(`
claim → delivered through the gift-card provider (${latencyMs} ms per answer), claims at ${rate}/s

| variant | in flight | claims sent | claimed | delivered | orders at the provider | claims took (s) | p50 (ms) | p99 (ms) | max (ms) | deliveries/s | CPU ms per delivery: worker / provider / PostgreSQL | machine busy |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${results
  .map(
    (r) =>
      `| ${r.name} | ${r.concurrency} | ${r.claims} | ${r.claimed} | ${r.delivered} | ${r.orders} | ${fmt(r.claimSeconds)} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.max, 0)} | ${fmt(r.perSecond)} | ${fmt(r.cpu.worker * 1000, 2)} / ${fmt(r.cpu.provider * 1000, 2)} / ${fmt(r.cpu.postgres * 1000, 2)} | ${fmt(r.cpu.busy * 100, 0)}% |`,
  )
  .join("\n")}

"orders at the provider" counts the orders the provider made for the run's claims: one per claim means none was made twice.`);
} finally {
  await sql.end({ timeout: 5 });
  await provider.stop("SIGTERM");
  await database.close();
}
process.exit(0);
