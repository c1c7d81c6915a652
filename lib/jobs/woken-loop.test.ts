import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { notify } from "@/db/notify";
import { connectTestDb } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { waitFor } from "@/test/wait-for";
import { type PassOutcome, runWokenLoop } from "./woken-loop";

const db = connectTestDb(4);

/** A pass the test settles by hand, one call at a time. */
function scriptedPass() {
  const calls: { settle: (outcome: PassOutcome | Error) => void }[] = [];
  const pass = () =>
    new Promise<PassOutcome>((resolve, reject) => {
      calls.push({
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      });
    });
  return { calls, pass };
}

/** A loop on the job_outbox channel whose passes the test settles by hand. */
function startLoop(pollMs: number) {
  const { log, lines } = memoryLog();
  const { calls, pass } = scriptedPass();
  const controller = new AbortController();
  const running = runWokenLoop({
    sql: sqlClient(db),
    channel: "job_outbox",
    signal: controller.signal,
    log,
    pollMs,
    failureEvent: "pass_failed",
    pass,
  });
  return { calls, controller, lines, running };
}

/**
 * Notifies job_outbox and returns once the loop has heard it: the loop shares the client's LISTEN
 * connection with a listener of the test's own, so once that one has heard it, so has the loop.
 */
async function notifyUntilHeard(): Promise<void> {
  let heard = 0;
  const listener = await sqlClient(db).listen("job_outbox", () => {
    heard += 1;
  });
  await notify(db, "job_outbox");
  await waitFor(async () => heard === 1);
  await listener.unlisten();
}

describe("runWokenLoop", () => {
  it("backs off after failures, wakes on a notification, and stops when aborted", async () => {
    const { calls, controller, lines, running } = startLoop(5);

    await waitFor(async () => calls.length === 1);
    calls[0]?.settle(new Error("database away"));
    await waitFor(async () => calls.length === 2);
    calls[1]?.settle(new Error("still away"));
    await waitFor(async () => calls.length === 3);
    expect(lines.filter((l) => l.event === "pass_failed").map((l) => l.retryInMs)).toEqual([5, 10]);

    // A long sleep that only a notification ends.
    calls[2]?.settle({ again: false, sleepMs: 600_000 });
    await notify(db, "job_outbox");
    await waitFor(async () => calls.length === 4);

    // A notification during a pass: that pass may have read too early, so another follows at
    // once, though it asks for a long sleep.
    await notifyUntilHeard();
    calls[3]?.settle({ again: false, sleepMs: 600_000 });
    await waitFor(async () => calls.length === 5);

    // A pass that asks for another gets it without a notification.
    calls[4]?.settle({ again: true });
    await waitFor(async () => calls.length === 6);

    calls[5]?.settle({ again: false, sleepMs: 600_000 });
    controller.abort();
    await running;
    expect(calls).toHaveLength(6);
  });

  it("lets no notification cut a backoff short, only a stop", async () => {
    const { calls, controller, running } = startLoop(600_000);
    await waitFor(async () => calls.length === 1);
    calls[0]?.settle(new Error("chain away"));

    await notifyUntilHeard();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);

    controller.abort();
    await running;
    expect(calls).toHaveLength(1);
  });
});
