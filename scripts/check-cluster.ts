/**
 * `npm run test:cluster`: starts `npm run start:cluster -- --web 2` on a data directory of its
 * own and checks it from outside: both instances answer through the balancer (its X-Served-By
 * header names them), an instance killed with SIGKILL is routed around and started again; the
 * database's primary killed with SIGKILL, the watchdog promotes the standby and the app goes on
 * taking writes, and the old primary is rebuilt as the new standby; the cluster stops cleanly,
 * starts again on the same data (the promoted server still the primary), and stops cleanly again.
 *
 * PORT (default 3000) is the balancer's; the instances take the next two, the embedded database
 * and chain PORT+10 and PORT+11, the providers PORT+12 and PORT+13 (unless EMBEDDED_* say), the
 * database's standby PORT+14, the witnesses PORT+15 and PORT+16, the metrics listeners PORT+20 and up and PORT+60 and up
 * (scripts/bench/app.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { createDb } from "@/db/client";
import { type AppOptions, type BenchApp, resetDir, startApp } from "./bench/app";

const log = (line: string) => console.log(`[test:cluster] ${line}`);
const PORT = Number(process.env.PORT ?? 3000);
const ROUNDS = 20;
const failures: string[] = [];
process.env.EMBEDDED_PAYMENTS_PORT ??= String(PORT + 12);
process.env.EMBEDDED_GIFTCARD_PORT ??= String(PORT + 13);
process.env.EMBEDDED_WITNESS_PORT ??= String(PORT + 15);

function check(ok: boolean, what: string): void {
  log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

/** `count` GETs of /api/health through the balancer: their statuses and who answered. */
async function askHealth(baseUrl: string, count: number) {
  const statuses: number[] = [];
  const servedBy = new Set<string>();
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/api/health`);
    await res.arrayBuffer();
    statuses.push(res.status);
    servedBy.add(res.headers.get("x-served-by") ?? "none");
  }
  return { statuses, servedBy };
}

/** Signs up a fresh account through the balancer; returns its address. */
async function signUp(baseUrl: string): Promise<string> {
  const email = `cluster-${Date.now()}-${process.pid}@example.com`;
  const res = await fetch(`${baseUrl}/api/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery", adult: true }),
    // A request caught by the primary's death may wait long: the loop around asks again.
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return email;
}

/**
 * Signs up a fresh account and returns the verification link it was mailed (read from the demo's
 * public mailbox): an instance builds it, but it must lead to the balancer.
 */
async function mailedVerificationLink(baseUrl: string): Promise<string> {
  const email = await signUp(baseUrl);
  let link = "";
  await waitUntil(async () => {
    const mailbox = await fetch(`${baseUrl}/dev/mailbox?to=${encodeURIComponent(email)}`);
    link = /href="([^"]*\/verify-email\?token=[^"]+)"/.exec(await mailbox.text())?.[1] ?? "";
    return link !== "";
  }, 30_000);
  return link;
}

/** Asks until `ready` holds; the deadline is only there so a broken cluster ends the check. */
async function waitUntil(ready: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await ready()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

const DATA_DIR = ".data/test-cluster";
const PAIR_DIR = path.join(DATA_DIR, "postgres-pair");

/** The cluster on the test's data directory, as start:cluster starts it (the failover pair). */
function startCluster(): Promise<BenchApp> {
  const options: AppOptions = {
    dataDir: DATA_DIR,
    port: PORT,
    pgPort: PORT + 10,
    chainPort: PORT + 11,
    standbyPort: PORT + 14,
    distDir: process.env.NEXT_DIST_DIR || ".next",
    cluster: 2,
    log,
  };
  return startApp(options);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but the postgres user's (the servers run as it when we are root).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running postmaster of the pair's server `name` (a or b), from its pid file. */
function postmasterPid(name: string): number | undefined {
  const file = path.join(PAIR_DIR, name, "postmaster.pid");
  const pid = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8").split("\n")[0]) : 0;
  return pid > 0 && isAlive(pid) ? pid : undefined;
}

/** The server pair.json names the primary. */
function primaryName(): string {
  const file = path.join(PAIR_DIR, "pair.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { primary: string }).primary;
}

/** Stops the cluster and checks that none of its processes, databases included, outlived it. */
async function stopAndCheck(app: BenchApp, when: string): Promise<void> {
  const servers = ["a", "b"].map(postmasterPid).filter((pid) => pid !== undefined);
  const pids = [...app.webPids(), ...app.balancerPids(), ...servers];
  await app.stop();
  const alive = pids.filter(isAlive);
  check(
    alive.length === 0 && servers.length === 2,
    `${when}, stopping the cluster stopped every instance, the balancer and both database servers` +
      (alive.length > 0 ? ` (still running: ${alive.join(", ")})` : ""),
  );
}

/** Balancing, mail links, and an instance killed: routed around, started again. */
async function checkInstances(app: BenchApp): Promise<void> {
  const first = await askHealth(app.baseUrl, ROUNDS);
  check(
    first.statuses.every((s) => s === 200),
    `${ROUNDS} requests through the balancer answered 200`,
  );
  check(
    [...first.servedBy].sort().join(",") === "web1,web2",
    `both instances answered them (${[...first.servedBy].join(", ")})`,
  );
  check(app.balancerPids().length === 1, "the balancer is a process of the cluster");
  const link = await mailedVerificationLink(app.baseUrl);
  check(
    link.startsWith(`http://localhost:${PORT}/verify-email?`),
    `a mailed link leads to the balancer, not to an instance (${link.split("?")[0]})`,
  );

  const [victim] = app.webPids();
  check(victim !== undefined && app.webPids().length === 2, "two web instance processes");
  process.kill(victim as number, "SIGKILL");
  const during = await askHealth(app.baseUrl, ROUNDS);
  check(
    during.statuses.every((s) => s === 200),
    `with one instance killed, ${ROUNDS} requests still answered 200 (${[...during.servedBy].join(", ")})`,
  );
  const back = await waitUntil(async () => {
    const pids = app.webPids();
    if (pids.length !== 2 || pids.includes(victim as number)) return false;
    return (await askHealth(app.baseUrl, 4)).servedBy.size === 2;
  }, 120_000);
  check(back, "the killed instance was started again and answers through the balancer");
}

/** Kills the primary; the standby must be promoted, take writes, and get a standby of its own. */
async function checkFailover(app: BenchApp): Promise<string> {
  const banner = app.output().find((l) => l.includes("postgres  primary")) ?? "";
  check(
    banner.includes(`primary 127.0.0.1:${PORT + 10}, standby 127.0.0.1:${PORT + 14}`),
    `the banner names both database servers (${banner.trim()})`,
  );
  const primary = postmasterPid("a");
  check(primary !== undefined && postmasterPid("b") !== undefined, "both database servers run");
  process.kill(primary as number, "SIGKILL");
  log(`killed the primary PostgreSQL (pid ${primary})`);
  // A sign-up writes through whichever server is primary: it succeeds once b is promoted.
  let email = "";
  const wrote = await waitUntil(async () => {
    try {
      email = await signUp(app.baseUrl);
      return true;
    } catch {
      return false;
    }
  }, 120_000);
  check(wrote, "after the primary was killed, a sign-up through the balancer was written");
  check(primaryName() === "b", "the watchdog promoted the standby (pair.json names b)");
  const rebuilt = await waitUntil(async () => {
    return app.output().some((l) => l.includes("the standby is in sync again"));
  }, 180_000);
  check(rebuilt && postmasterPid("a") !== undefined, "the old primary was rebuilt as the standby");
  return email;
}

async function main(): Promise<void> {
  resetDir(DATA_DIR);
  log(`starting the cluster (2 web instances, 1 worker, a database pair) on port ${PORT}…`);
  const app = await startCluster();
  let email = "";
  try {
    await checkInstances(app);
    email = await checkFailover(app);
  } finally {
    await stopAndCheck(app, "after the failover");
  }

  log("starting the cluster again on the same data…");
  const again = await startCluster();
  try {
    const health = await askHealth(again.baseUrl, 4);
    check(
      health.statuses.every((s) => s === 200),
      "started again, it answers through the balancer",
    );
    const banner = again.output().find((l) => l.includes("postgres  primary")) ?? "";
    check(
      banner.includes(`primary 127.0.0.1:${PORT + 14}, standby 127.0.0.1:${PORT + 10}`),
      `the promoted server is still the primary (${banner.trim()})`,
    );
    const { sql } = createDb(again.databaseUrl, 1);
    const rows = await sql`select 1 from users where email = ${email}`.finally(() => sql.end());
    check(rows.length === 1, "the account written after the failover is still there");
  } finally {
    await stopAndCheck(again, "after the restart");
  }
}

main().then(
  () => {
    log(failures.length === 0 ? "all checks passed" : `${failures.length} check(s) failed`);
    process.exit(failures.length === 0 ? 0 : 1);
  },
  (error: Error) => {
    console.error(`test:cluster failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
