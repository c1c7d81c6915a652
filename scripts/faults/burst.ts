/**
 * The clients of a fault run: claims arriving at a fixed rate, each by its own player with its own
 * Idempotency-Key. A client that gets a retryable answer (no connection, a reset, 502/503/504,
 * 429) asks again with the same key, after Retry-After or a growing backoff, until it gets a final
 * answer or its deadline passes. Everything each client saw is kept for the checks.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { post } from "../bench/http-load";

export type ClaimLog = {
  index: number;
  key: string;
  playerId: string;
  /** The final answer's status, or undefined when the deadline passed first. */
  status?: number;
  /** Its error code, when it was an error. */
  code?: string;
  redemptionId?: string;
  attempts: number;
  /** When each retryable failure happened (ms, performance.now()). */
  retryableAt: number[];
  retryableKinds: Record<string, number>;
  answeredAt?: number;
};

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** One client's claim, asked again with the same key until a final answer or `deadline`. */
async function claimUntilAnswered(
  agent: http.Agent,
  url: URL,
  player: { id: string; token: string },
  index: number,
  deadline: number,
): Promise<ClaimLog> {
  const entry: ClaimLog = {
    index,
    key: `faults-${randomUUID()}`,
    playerId: player.id,
    attempts: 0,
    retryableAt: [],
    retryableKinds: {},
  };
  let backoff = FIRST_BACKOFF_MS;
  while (performance.now() < deadline) {
    entry.attempts++;
    let waitMs = backoff;
    let kind: string;
    try {
      const answer = await post(agent, url, player.token, undefined, undefined, {
        body: "",
        headers: { "idempotency-key": entry.key },
      });
      if (!RETRYABLE_STATUSES.has(answer.status)) {
        entry.status = answer.status;
        entry.answeredAt = performance.now();
        if (answer.status === 201) {
          entry.redemptionId = (
            JSON.parse(answer.body) as { redemption: { id: string } }
          ).redemption.id;
        } else {
          entry.code = errorCode(answer.body) ?? answer.body.slice(0, 80);
        }
        return entry;
      }
      kind = String(answer.status);
      const retryAfter = Number(answer.headers["retry-after"]);
      if (retryAfter > 0) waitMs = retryAfter * 1000;
    } catch (error) {
      kind = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    entry.retryableAt.push(performance.now());
    entry.retryableKinds[kind] = (entry.retryableKinds[kind] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, waitMs));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
  return entry;
}

/**
 * `players.length` claims on `dropId`, the i-th due at `i / rate` seconds (open loop: a slow
 * answer delays no other claim). `onProgress(i)` is called as each claim is sent, which is how
 * the run knows when the middle of the burst has come.
 */
export async function runBurst(options: {
  baseUrl: string;
  dropId: string;
  players: Array<{ id: string; token: string }>;
  rate: number;
  /** How long one client keeps asking, from its first attempt. */
  clientDeadlineMs: number;
  onProgress: (sent: number) => void;
}): Promise<ClaimLog[]> {
  const url = new URL(`/api/v1/drops/${options.dropId}/claims`, options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const started = performance.now();
  const claims = options.players.map(async (player, i) => {
    const wait = started + (i * 1000) / options.rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    options.onProgress(i + 1);
    return claimUntilAnswered(agent, url, player, i, performance.now() + options.clientDeadlineMs);
  });
  const logs = await Promise.all(claims);
  agent.destroy();
  return logs;
}
