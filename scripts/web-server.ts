/**
 * A web instance's HTTP server (`node dist/web-server.mjs`, started by `npm run web` and `npm
 * start`): Next.js's standalone build, run through its custom-server API, answers every request
 * except the hottest API routes, which go straight to their App Router handlers. Next's own
 * request pipeline (routing, its request and response objects) costs about 1.3 ms of CPU per
 * request on the reference machine, an empty route handler included (docs/BENCHMARKS.md): more
 * than a whole claim costs without it. The handlers are the same functions in both paths.
 *
 * NEXT_STANDALONE_DIR: the build's standalone folder, NEXT_DIST_DIR the build directory's name
 * (as next.config.js reads it); PORT, HOSTNAME and KEEP_ALIVE_TIMEOUT as for Next's server.js.
 */
import { AsyncLocalStorage } from "node:async_hooks";
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
} = (await import(new URL("./web-direct-routes.mjs", import.meta.url).href)) as typeof DirectRoutes;
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
  const direct = matchDirectRoute(DIRECT_ROUTES, headerRules, req);
  if (direct) void serveDirect(direct, req, res);
  else void handle(req, res);
});
server.listen(port, hostname, () => {
  const shown = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  process.env.__NEXT_PRIVATE_ORIGIN = `http://${shown}:${port}`;
  console.log(`▲ Next.js web server ready on http://${shown}:${port}`);
});
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
