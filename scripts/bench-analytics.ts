/**
 * `npm run bench:analytics`: every dashboard and post-drop report query, timed on a fresh
 * embedded PostgreSQL seeded with 1,000,000 redemptions (scripts/bench/analytics-seed.ts), side
 * by side with a baseline computing the same figures from the raw tables in the same run.
 * Options:
 *   --redemptions N   seeded redemptions (default 1000000)
 *   --runs N          timed runs per query after 3 warm-up runs (default 30)
 *   --keep            keep the database directory
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { anchoringStatus } from "@/lib/analytics/anchoring-status";
import {
  claimsPerSecondSeries,
  getDashboard,
  heldRedemptions,
  latencyAt,
  liveDropsAt,
  outcomeMixAt,
} from "@/lib/analytics/dashboard";
import { dropReportCsv, getDropReport } from "@/lib/analytics/drop-report";
import { startEmbeddedPostgres } from "@/scripts/lib/embedded-postgres";
import { freePort } from "@/scripts/lib/free-port";
import {
  baselineAnchoring,
  baselineClaimsPerSecond,
  baselineDropReport,
  baselineHeld,
  baselineLiveDrops,
  baselineOutcomeMix,
} from "./bench/analytics-baseline";
import { seedAnalytics } from "./bench/analytics-seed";
import { machineInfo } from "./bench/machine";
import { fmt } from "./bench/measure";

const { values: args } = parseArgs({
  options: {
    redemptions: { type: "string", default: "1000000" },
    runs: { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
  },
});

const TARGET_MS = 200;
const WARM_UP = 3;
const log = (line: string) => console.log(`[bench:analytics] ${line}`);

type Timing = { p50: number; p95: number; max: number };

async function time(run: () => Promise<unknown>, runs: number): Promise<Timing> {
  for (let i = 0; i < WARM_UP; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: ms[ms.length - 1] ?? 0 };
}

async function main(): Promise<void> {
  log(machineInfo());
  const runs = Number(args.runs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-analytics-"));
  const rows: Array<{ name: string; rollup: Timing; baseline?: Timing }> = [];
  let seeded = "";
  try {
    const pg = await startEmbeddedPostgres(path.join(dir, "postgres"), await freePort());
    // Code keys for the seeded codes live beside the bench's database.
    process.env.PRIZELEDGER_DATA_DIR = dir;
    try {
      await migrateDatabase(pg.url);
      const { db, sql } = createDb(pg.url, 8);
      try {
        const seed = await seedAnalytics(db, sql, { redemptions: Number(args.redemptions), log });
        seeded =
          `${fmt(seed.redemptions, 0)} redemptions, ${fmt(seed.refusals, 0)} refusals, ` +
          `${seed.drops} drops, ${fmt(seed.players, 0)} players, seeded in ${fmt(seed.seconds)} s`;
        log(seeded);
        const [biggest] = await sql<Array<{ id: string }>>`
          select drop_id as id from redemptions where drop_id <> ${seed.liveDropId}
          group by drop_id order by count(*) desc limit 1`;
        const bigDrop = biggest?.id as string;
        const now = () => new Date();
        const cases: Array<[string, () => Promise<unknown>, (() => Promise<unknown>) | undefined]> =
          [
            [
              "dashboard: claims per second (60 s)",
              () => claimsPerSecondSeries(db, now()),
              () => baselineClaimsPerSecond(sql),
            ],
            [
              "dashboard: live drops + burn-down",
              () => liveDropsAt(db, now()),
              () => baselineLiveDrops(sql),
            ],
            [
              "dashboard: outcome mix (5 min, today)",
              () => outcomeMixAt(db, now()),
              () => baselineOutcomeMix(sql),
            ],
            ["dashboard: latency p50/p95/p99 (5 min)", () => latencyAt(db, now()), undefined],
            [
              "dashboard: anchoring lag + checkpoint",
              () => anchoringStatus(db),
              () => baselineAnchoring(sql),
            ],
            [
              "dashboard: by kind, hour, region, top prizes",
              () => heldRedemptions(db),
              () => baselineHeld(sql),
            ],
            [
              "dashboard: whole snapshot",
              () => getDashboard(db),
              () =>
                Promise.all([
                  baselineClaimsPerSecond(sql),
                  baselineLiveDrops(sql),
                  baselineOutcomeMix(sql),
                  baselineAnchoring(sql),
                  baselineHeld(sql),
                ]),
            ],
            [
              "report: largest past drop",
              () => getDropReport(db, bigDrop),
              () => baselineDropReport(sql, bigDrop),
            ],
            [
              "report: live drop",
              () => getDropReport(db, seed.liveDropId),
              () => baselineDropReport(sql, seed.liveDropId),
            ],
            [
              "report CSV: largest past drop",
              async () => dropReportCsv(await getDropReport(db, bigDrop)),
              undefined,
            ],
          ];
        for (const [name, rollup, baseline] of cases) {
          log(`timing ${name}…`);
          rows.push({
            name,
            rollup: await time(rollup, runs),
            baseline: baseline ? await time(baseline, Math.min(runs, 10)) : undefined,
          });
        }
      } finally {
        await sql.end();
      }
    } finally {
      await pg.stop();
    }
  } finally {
    if (args.keep) log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }

  const ms = (t: Timing | undefined) =>
    t
      ? `${fmt(t.p50).padStart(8)} ${fmt(t.p95).padStart(8)} ${fmt(t.max).padStart(8)}`
      : `${"n/a".padStart(8)} ${"".padStart(17)}`;
  console.log("");
  console.log(`bench:analytics: ${seeded}; ${runs} runs per query (baseline 10), ms`);
  console.log(
    `  ${"query".padEnd(46)} ${"rollup p50".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}   ${"raw p50".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}  < ${TARGET_MS} ms`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(46)} ${ms(r.rollup)}   ${ms(r.baseline)}  ${r.rollup.max < TARGET_MS ? "yes" : r.rollup.p95 < TARGET_MS ? "p95 yes, max NO" : "NO"}`,
    );
  }
  const missed = rows.filter((r) => r.rollup.p95 >= TARGET_MS);
  console.log(
    missed.length === 0
      ? `every query's p95 is under ${TARGET_MS} ms`
      : `MISSED ${TARGET_MS} ms (p95): ${missed.map((r) => r.name).join("; ")}`,
  );
}

main().catch((error: Error) => {
  console.error(`bench:analytics failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
