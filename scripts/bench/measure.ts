/** Measuring helpers: a closed-loop driver, percentiles, CPU counters and a wait-event sampler. */
import fs from "node:fs";
import type postgres from "postgres";

export type RunResult = {
  claims: number;
  ok: number;
  refused: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  firstError?: string;
};

/**
 * `concurrency` claimers, each taking the next index until `total` claims were made; every
 * claim's latency is recorded. `claim(i)` answers true (granted) or false (refused).
 */
export async function closedLoop(
  total: number,
  concurrency: number,
  claim: (i: number) => Promise<boolean>,
): Promise<RunResult> {
  const latencies = new Float64Array(total);
  let next = 0;
  let ok = 0;
  let refused = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const t0 = performance.now();
      try {
        if (await claim(i)) ok++;
        else refused++;
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    claims: total,
    ok,
    refused,
    errors,
    seconds,
    ...summarize(latencies, seconds),
    firstError,
  };
}

export function summarize(
  latencies: Float64Array,
  seconds: number,
): { perSecond: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    perSecond: latencies.length / seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by a process, from /proc. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by every process whose command name is `comm` (e.g. postgres). */
export function commandCpuSeconds(comm: string): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (name === comm) total += processCpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * CPU seconds used so far by one PostgreSQL cluster: its postmaster (from postmaster.pid in
 * `dataDir`) and every backend and auxiliary process under it. NaN when the pid is unknown.
 */
export function clusterCpuSeconds(dataDir: string | undefined): number {
  if (!dataDir) return Number.NaN;
  let postmaster: number;
  try {
    postmaster = Number(fs.readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
  } catch {
    return Number.NaN;
  }
  let total = processCpuSeconds(postmaster);
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === postmaster) total += processCpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is what ran here, steal excluded.
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 7).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

/**
 * Samples pg_stat_activity every `everyMs` for the backends of `applicationName`: what active
 * backends were waiting on (or "CPU" when not waiting). Call the returned stop() for shares.
 */
export function sampleWaits(
  sql: postgres.Sql,
  applicationName: string,
  everyMs = 50,
): () => Promise<{ samples: number; share: Array<[string, number]> }> {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<Array<{ w: string; n: number }>>`
        select coalesce(wait_event_type || ':' || wait_event, 'CPU') as w, count(*)::int as n
        from pg_stat_activity
        where application_name = ${applicationName} and state = 'active' and pid <> pg_backend_pid()
        group by 1`.catch(() => []);
      samples++;
      for (const r of rows) counts.set(r.w, (counts.get(r.w) ?? 0) + r.n);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    const share = [...counts.entries()]
      .map(([w, n]) => [w, n / samples] as [string, number])
      .sort((a, b) => b[1] - a[1]);
    return { samples, share };
  };
}

export type Measured = {
  run: RunResult;
  /** CPU seconds of the embedded cluster (NaN on an outside database). */
  pgCpu: number;
  /** CPU seconds of the bench process itself. */
  benchCpu: number;
  /** Share of the machine's CPU time that was busy. */
  machineBusy: number;
  /** Average active backends of `applicationName` by wait event. */
  waits: Array<[string, number]>;
};

/** A closedLoop with the counters around it: CPU of the cluster, the bench and the machine. */
export async function measureClosedLoop(options: {
  sql: postgres.Sql;
  applicationName: string;
  pgDataDir: string | undefined;
  total: number;
  concurrency: number;
  work: (i: number) => Promise<boolean>;
}): Promise<Measured> {
  const stop = sampleWaits(options.sql, options.applicationName);
  const pg0 = clusterCpuSeconds(options.pgDataDir);
  const me0 = processCpuSeconds(process.pid);
  const m0 = machineCpu();
  const run = await closedLoop(options.total, options.concurrency, options.work);
  const m1 = machineCpu();
  const pgCpu = clusterCpuSeconds(options.pgDataDir) - pg0;
  const benchCpu = processCpuSeconds(process.pid) - me0;
  const { share } = await stop();
  return {
    run,
    pgCpu,
    benchCpu,
    machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total),
    waits: share,
  };
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
