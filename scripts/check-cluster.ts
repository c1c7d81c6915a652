/**
 * `npm run test:cluster`: starts `npm run start:cluster -- --web 2` on a data directory of its
 * own and checks it from outside: both instances answer through the balancer (its X-Served-By
 * header names them), an instance killed with SIGKILL is routed around and started again, and
 * the cluster stops cleanly. Not part of `npm test`: a cold start builds the app first (minutes).
 *
 * PORT (default 3000) is the balancer's; the instances take the next two, the embedded database
 * and chain PORT+10 and PORT+11, the providers PORT+12 and PORT+13 (unless EMBEDDED_* say).
 */
import { resetDir, startApp } from "./bench/app";

const log = (line: string) => console.log(`[test:cluster] ${line}`);
const PORT = Number(process.env.PORT ?? 3000);
const ROUNDS = 20;
const failures: string[] = [];
process.env.EMBEDDED_PAYMENTS_PORT ??= String(PORT + 12);
process.env.EMBEDDED_GIFTCARD_PORT ??= String(PORT + 13);

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

/** Asks until `ready` holds; the deadline is only there so a broken cluster ends the check. */
async function waitUntil(ready: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await ready()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const dataDir = ".data/test-cluster";
  resetDir(dataDir);
  log(`starting the cluster (2 web instances, 1 worker) on port ${PORT}…`);
  const app = await startApp({
    dataDir,
    port: PORT,
    pgPort: PORT + 10,
    chainPort: PORT + 11,
    distDir: process.env.NEXT_DIST_DIR || ".next",
    cluster: 2,
    log,
  });
  try {
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
  } finally {
    const pids = [...app.webPids(), ...app.balancerPids()];
    await app.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    check(alive.length === 0, "stopping the cluster stopped every instance and the balancer");
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
