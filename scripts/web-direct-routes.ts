/**
 * The API routes a web instance answers without Next's request pipeline (see web-server.ts), and
 * the code that serves them: bundled apart (dist/web-direct-routes.mjs) because web-server.ts
 * must prepare the process for Next before any of the app's modules is evaluated.
 */
import { POST as claimDrop } from "@/app/api/v1/drops/[dropId]/claims/route";
import { POST as playRound } from "@/app/api/v1/rounds/route";
import type { DirectRoute, RouteHandler } from "@/lib/http/direct-routes";

export { getDb } from "@/db/client";
export { flushApiTokenUses } from "@/lib/auth/token-verifier";
export { stampPeerAddress } from "@/lib/http/client-info";
export { compileHeaderRules, matchDirectRoute, serveDirect } from "@/lib/http/direct-routes";
export { gracefulStop } from "@/lib/http/graceful-stop";
export { startWebMetricsListener } from "@/lib/metrics/web-listener";

const UUID = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";

export const DIRECT_ROUTES: DirectRoute[] = [
  {
    method: "POST",
    path: new RegExp(`^/api/v1/drops/${UUID}/claims$`),
    params: ["dropId"],
    handler: claimDrop as RouteHandler,
  },
  {
    method: "POST",
    path: /^\/api\/v1\/rounds$/,
    params: [],
    handler: playRound as RouteHandler,
  },
];
