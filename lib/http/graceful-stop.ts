import "server-only";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Makes `server` stoppable without cutting a request it has received: returns `stop`, which
 * takes no new connections, closes idle keep-alive ones at once and every other one as soon as
 * its answers are sent (the last says `Connection: close`, so the client sends nothing more on
 * it). Without that, a keep-alive client (a load balancer) goes on sending on its connection
 * until the grace runs out, and what is in flight then (a claim committed, its answer not yet
 * sent) is lost. `stop` resolves once every connection is closed, or after `graceMs` (those
 * still open are then cut); called again, it returns the same promise.
 */
export function gracefulStop(server: Server): (graceMs: number) => Promise<void> {
  // Answers not yet sent, per connection: a pipelined request may wait behind another's.
  const unanswered = new Map<Socket, Set<ServerResponse>>();
  let stopped: Promise<void> | undefined;

  // Only the connection's one answer may close it: one that still owes answers stays open, to be
  // closed when idle.
  const closeAfter = (answers: Set<ServerResponse>) => {
    const [only] = answers;
    if (answers.size === 1 && only && !only.headersSent) only.setHeader("connection", "close");
  };

  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const answers = unanswered.get(req.socket) ?? new Set();
    answers.add(res);
    unanswered.set(req.socket, answers);
    res.once("close", () => {
      answers.delete(res);
      if (answers.size === 0) unanswered.delete(req.socket);
      if (stopped) server.closeIdleConnections();
    });
    if (stopped) closeAfter(answers);
  });

  return (graceMs) => {
    stopped ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, graceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const answers of unanswered.values()) closeAfter(answers);
    });
    return stopped;
  };
}
