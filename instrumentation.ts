import type { Instrumentation } from "next";

/**
 * Errors Next.js catches while rendering a page, running an action or a route handler go to the
 * server's log as its other lines do: a JSON line with the request's id and the digest the error
 * page shows the visitor, so the reference a visitor quotes leads to the details. The path is
 * logged without its query, which can carry a one-time token (a password-reset link's).
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logError } = await import("@/lib/log");
  const digest = (error as { digest?: unknown } | null)?.digest;
  const requestId = request.headers["x-request-id"];
  logError("request_failed", error, {
    digest: typeof digest === "string" ? digest : undefined,
    requestId: typeof requestId === "string" ? requestId : undefined,
    method: request.method,
    path: request.path.split("?")[0],
    routeType: context.routeType,
    routePath: context.routePath,
  });
};
