import "server-only";
import type postgres from "postgres";
import type { NotifyChannel } from "@/db/notify";
import type { Log } from "@/lib/log";

/** What a pass asks of the loop: another pass at once, or a sleep that a notification ends. */
export type PassOutcome = { again: true } | { again: false; sleepMs?: number };

export type WokenLoopOptions = {
  sql: postgres.Sql;
  /** Writers notify it when there is work: the sleep ends at once. */
  channel: NotifyChannel;
  signal: AbortSignal;
  log: Log;
  /** The longest sleep without a notification: the safety net for one missed on a reconnect. */
  pollMs: number;
  /** Logged, with the error, when a pass throws. */
  failureEvent: string;
  pass: () => Promise<PassOutcome>;
};

const MAX_BACKOFF_MS = 30_000;

/**
 * A worker's loop: a pass whenever `channel` is notified, and every `pollMs`. A pass that throws
 * is retried after a backoff that doubles up to 30 s while the database or the chain stays
 * unreachable; notifications do not cut a backoff short (under traffic every claim notifies, and
 * the retries would follow the claims rather than the backoff), only a stop does. A notification
 * that arrives during a pass brings another pass at once: that pass may have read before the
 * notifying commit.
 */
export async function runWokenLoop(options: WokenLoopOptions): Promise<void> {
  const { sql, channel, signal, log, pollMs, failureEvent, pass } = options;
  let wake: (() => void) | undefined;
  let woken = false;
  let backingOff = false;
  const wakeUp = () => {
    woken = true;
    if (!backingOff || signal.aborted) wake?.();
  };
  // Without LISTEN (the connection refused it) the poll still finds the work.
  const listener = await sql.listen(channel, wakeUp).catch(() => undefined);
  signal.addEventListener("abort", wakeUp, { once: true });
  let backoff = pollMs;
  try {
    while (!signal.aborted) {
      woken = false;
      let sleepMs = pollMs;
      let failed = false;
      try {
        const outcome = await pass();
        backoff = pollMs;
        if (outcome.again) continue;
        sleepMs = outcome.sleepMs ?? pollMs;
      } catch (error) {
        log.error(failureEvent, error, { retryInMs: backoff });
        sleepMs = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        failed = true;
      }
      if (signal.aborted || (woken && !failed)) continue;
      backingOff = failed;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleepMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    signal.removeEventListener("abort", wakeUp);
    await listener?.unlisten().catch(() => {});
  }
}
