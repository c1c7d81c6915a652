import "server-only";
import http from "node:http";
import type { Log } from "@/lib/log";
import { refuse, type Witness, type WitnessAnswer } from "./witness";

/**
 * Larger than any honest request: 63 proof hashes are under 3 kB and a checkpoint note with
 * its log's signature and a few cosignatures under 2 kB.
 */
export const MAX_BODY_BYTES = 32 * 1024;
/**
 * Slow and numerous clients. Node enforces the header and request timeouts only when it checks
 * its connections, every 30 s by default, so the check runs every second; an honest request is
 * a few kB and its headers arrive at once. Beyond MAX_CONNECTIONS new sockets are dropped, so a
 * flood cannot exhaust the file descriptors (per-client limits belong to a reverse proxy: README
 * "Run a witness").
 */
export const SERVER_LIMITS = {
  connectionsCheckingInterval: 1_000,
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 5_000,
  maxConnections: 256,
} as const;

function send(response: http.ServerResponse, answer: WitnessAnswer): void {
  response.writeHead(answer.status, answer.headers).end(answer.body);
}

/** The body, or null once it passes `max` bytes (the rest is not read). */
async function readCapped(request: http.IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > max) return null;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The path of a request target, or null for one that is not a URL path (e.g. "//"). */
function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? "/", "http://witness").pathname;
  } catch {
    return null;
  }
}

/** Strict UTF-8: a lenient decoder would replace bad bytes and check a signature over others. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function route(witness: Witness, request: http.IncomingMessage): Promise<WitnessAnswer> {
  const path = pathOf(request.url);
  if (path === null) return refuse(400, "the request target is not a path");
  if (path === "/") {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return refuse(405, "GET / describes this witness", { allow: "GET, HEAD" });
    }
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: `${JSON.stringify(witness.describe(), null, 2)}\n`,
    };
  }
  if (path !== "/add-checkpoint")
    return refuse(404, "this witness serves GET / and POST /add-checkpoint");
  if (request.method !== "POST") {
    return refuse(405, "add-checkpoint takes a POST", { allow: "POST" });
  }
  const body = await readCapped(request, MAX_BODY_BYTES);
  if (body === null)
    return refuse(413, `an add-checkpoint body is at most ${MAX_BODY_BYTES} bytes`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return refuse(400, "malformed add-checkpoint request: not UTF-8 text");
  }
  return witness.addCheckpoint(text);
}

/** The witness's HTTP face (c2sp.org/tlog-witness): POST /add-checkpoint and GET /. */
export function createWitnessServer(witness: Witness, log: Log): http.Server {
  const { maxConnections, ...timeouts } = SERVER_LIMITS;
  const server = http.createServer(timeouts, (request, response) => {
    route(witness, request).then(
      (answer) => {
        // A refused body may still be arriving: the connection is not reused for another request.
        if (answer.status === 413) response.setHeader("connection", "close");
        send(response, answer);
      },
      (error: unknown) => {
        log.error("witness.request_failed", error);
        if (!response.headersSent)
          send(response, refuse(500, "the witness failed; nothing was cosigned"));
        else response.destroy();
      },
    );
  });
  server.maxConnections = maxConnections;
  return server;
}
