/**
 * A web instance's HTTP server (`node dist/web-server.mjs`, started by `npm run web` and `npm
 * start`): Next.js's standalone build, run through its custom-server API, answers every request
 * except the hottest API routes, which go straight to their App Router handlers. Next's own
 * request pipeline (routing, its request and response objects) costs about 1.3 ms of CPU per
 * request on the reference machine, an empty route handler included (docs/BENCHMARKS.md): more
 * than a whole claim costs without it. The handlers are the same functions in both paths.
 *
 * NEXT_STANDALONE_DIR: the build's standalone folder, NEXT_DIST_DIR the build directory's name
 * (as next.config.js reads it); PORT, HOSTNAME and KEEP_ALIVE_TIMEOUT as for Next's server.js;
 * WEB_PROCESSES: how many such servers share the port (node:cluster), one by default. With
 * METRICS_PORT, each also answers `GET /metrics` there (lib/metrics/web-listener.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import cluster from "node:cluster";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import type { HeaderRule } from "@/lib/http/direct-routes";
import type * as DirectRoutes from "./web-direct-routes";

type NextServer = {
  prepare(): Promise<void>;
  getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
};

/** One web server: Next for most requests, the direct routes for the rest. */
async function serve(): Promise<void> {
  const standalone = path.resolve(process.env.NEXT_STANDALONE_DIR ?? ".next/standalone");
  // The build directory as next.config.js names it, which is where the standalone copy keeps it.
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  const required = JSON.parse(
    fs.readFileSync(path.join(standalone, distDir, "required-server-files.json"), "utf8"),
  ) as { config: Record<string, unknown> };
  const manifest = JSON.parse(
    fs.readFileSync(path.join(standalone, distDir, "routes-manifest.json"), "utf8"),
  ) as { headers: HeaderRule[] };

  // As Next's server.js does; the launchers set it too, before any module here is evaluated.
  Object.assign(process.env, { NODE_ENV: "production" });
  process.chdir(standalone);
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(required.config);
  const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
  const hostname = process.env.HOSTNAME || "0.0.0.0";

  // Next's modules (the app's, through Auth.js, among them) expect this global, which Next's
  // server sets when it loads; the app's modules are evaluated below, before that.
  Object.assign(globalThis, { AsyncLocalStorage });
  const {
    DIRECT_ROUTES,
    compileHeaderRules,
    flushApiTokenUses,
    getDb,
    gracefulStop,
    matchDirectRoute,
    serveDirect,
    stampPeerAddress,
    startWebMetricsListener,
  } = (await import(
    new URL("./web-direct-routes.mjs", import.meta.url).href
  )) as typeof DirectRoutes;
  const headerRules = compileHeaderRules(manifest.headers);

  // Next's own copy from the standalone folder: the one its compiled routes share state with.
  const next = createRequire(path.join(standalone, "server.js"))("next") as (
    options: Record<string, unknown>,
  ) => NextServer;
  const server = http.createServer();
  const app = next({
    dev: false,
    dir: standalone,
    hostname,
    port,
    conf: required.config,
    httpServer: server,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  const keepAlive = Number.parseInt(process.env.KEEP_ALIVE_TIMEOUT ?? "", 10);
  if (keepAlive >= 0) server.keepAliveTimeout = keepAlive;
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    // For TRUSTED_PROXY_HOPS=0: Next's handlers see headers, never the socket (client-info.ts).
    stampPeerAddress(req);
    const direct = matchDirectRoute(DIRECT_ROUTES, headerRules, req);
    if (direct) void serveDirect(direct, req, res);
    else void handle(req, res);
  });
  server.listen(port, hostname, () => {
    const shown = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
    process.env.__NEXT_PRIVATE_ORIGIN = `http://${shown}:${port}`;
    console.log(`▲ Next.js web server ready on http://${shown}:${port}`);
  });
  const processIndex = Number.parseInt(process.env.WEB_PROCESS_INDEX ?? "", 10) || 0;
  await startWebMetricsListener(processIndex).then(
    (url) => url && console.log(`web-server: metrics on ${url}`),
    (error: Error) => {
      console.error(`web-server: the metrics listener could not start: ${error.message}`);
      process.exit(1);
    },
  );
  // Every request received is answered (for up to 8 s), each connection closing after its last
  // answer; then the API tokens' last uses still held in memory are written (one pool and its
  // verifier serve both bundles). A second signal (Ctrl-C reaches this process and its launcher,
  // which passes it on; systemd signals every process of the service) changes nothing: a listener
  // removed after the first would let the second kill the process mid-request.
  const stop = gracefulStop(server);
  let stopping: Promise<unknown> | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      setTimeout(() => process.exit(0), 10_000).unref();
      stopping = stop(8_000)
        .then(() => flushApiTokenUses(getDb()))
        .finally(() => process.exit(0));
    });
  }
}

/**
 * Several servers on one port, for a machine whose cores one Node process cannot use: the
 * primary only forks them, starts another when one dies, and passes a stop signal on. A server
 * that dies within seconds of its start (a port in use, a bad build) stops them all instead.
 */
function superviseServers(count: number): void {
  let stopping = false;
  const startedAt = new Map<number, number>();
  // Each server's place (from 0), kept by the one started in its stead: its metrics port.
  const indexOf = new Map<number, number>();
  const fork = (index: number) => {
    const worker = cluster.fork({ WEB_PROCESS_INDEX: String(index) });
    startedAt.set(worker.id, Date.now());
    indexOf.set(worker.id, index);
  };
  for (let i = 0; i < count; i++) fork(i);
  cluster.on("exit", (worker, code, signal) => {
    const alive = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (alive === 0) process.exit(0);
      return;
    }
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    console.error(`web-server: process ${worker.process.pid} ended (${signal ?? `exit ${code}`})`);
    if (lived < 10_000) {
      console.error("web-server: it did not last 10 seconds; stopping every web process");
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill("SIGTERM");
      process.exitCode = 1;
      if (alive === 0) process.exit(1);
      return;
    }
    fork(indexOf.get(worker.id) ?? 0);
  });
  // As in each server: a second signal must not kill the primary, and with it the servers.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
      setTimeout(() => process.exit(0), 15_000).unref();
    });
  }
}

const processes = Number.parseInt(process.env.WEB_PROCESSES ?? "", 10) || 1;
if (cluster.isPrimary && processes > 1) superviseServers(processes);
else await serve();
