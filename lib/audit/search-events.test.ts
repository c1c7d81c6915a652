import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { auditFilterSchema, auditPageSchema } from "./model";
import { recordEvent } from "./record-event";
import { eachAuditEvent, searchAuditEvents } from "./search-events";

const db = connectTestDb(5);

describe("audit search", () => {
  it("filters by actor (id or email), action, outcome, reason prefix, subject, ip and time", async () => {
    const [alice, bob] = await createPlayers(db, 2);
    if (!alice || !bob) throw new Error("no players");
    const tag = `t${Date.now()}`;
    await recordEvent(db, {
      actorId: alice,
      action: `${tag}_claim`,
      subject: "drop:1",
      outcome: "ok",
      ip: "10.1.2.3",
    });
    await recordEvent(db, {
      actorId: alice,
      action: `${tag}_claim`,
      subject: "drop:2",
      outcome: "refused",
      reason: "not_eligible:region",
      ip: "192.0.2.7",
    });
    await recordEvent(db, {
      actorId: bob,
      action: `${tag}_claim`,
      subject: "drop:1",
      outcome: "refused",
      reason: "sold_out",
      ip: "2001:db8::1",
    });
    await recordEvent(db, {
      actorId: bob,
      action: `${tag}_sign_in`,
      outcome: "failed",
      reason: "invalid_credentials",
    });

    const ids = async (filter: Record<string, string>) =>
      (await searchAuditEvents(db, auditFilterSchema.parse({ ...filter }))).events
        .filter((e) => e.action.startsWith(tag))
        .map((e) => `${e.actor?.id === alice ? "alice" : "bob"}:${e.subject ?? "-"}:${e.outcome}`);

    expect(await ids({ actor: alice })).toEqual(["alice:drop:2:refused", "alice:drop:1:ok"]);
    const bobEmail = (await searchAuditEvents(db, { actor: bob })).events[0]?.actor?.email ?? "";
    expect(bobEmail).toMatch(/@test\.invalid$/);
    expect(await ids({ actor: bobEmail.toUpperCase() })).toEqual([
      "bob:-:failed",
      "bob:drop:1:refused",
    ]);
    expect(await ids({ actor: "nobody@nowhere.test" })).toEqual([]);
    expect(await ids({ action: `${tag}_sign_in` })).toEqual(["bob:-:failed"]);
    expect(await ids({ action: `${tag}_claim`, outcome: "refused" })).toEqual([
      "bob:drop:1:refused",
      "alice:drop:2:refused",
    ]);
    expect(await ids({ reason: "not_eligible" })).toEqual(["alice:drop:2:refused"]);
    expect(await ids({ reason: "not_eligible%" })).toEqual([]);
    expect(await ids({ subject: "drop:1" })).toEqual(["bob:drop:1:refused", "alice:drop:1:ok"]);
    expect(await ids({ ip: "10.1.2.3" })).toEqual(["alice:drop:1:ok"]);
    expect(await ids({ ip: "192.0.2.0/24" })).toEqual(["alice:drop:2:refused"]);
    expect(await ids({ ip: "2001:db8::/32" })).toEqual(["bob:drop:1:refused"]);
    expect(await ids({ from: "2000-01-01T00:00:00Z", to: "2000-01-02T00:00:00Z" })).toEqual([]);
    expect((await ids({ from: new Date(Date.now() - 3_600_000).toISOString() })).length).toBe(4);
  });

  it("refuses malformed filters with the field", () => {
    const bad = auditFilterSchema.safeParse({ ip: "not-an-ip", outcome: "maybe", from: "soon" });
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(["from", "ip", "outcome"]);
    expect(auditFilterSchema.parse({ actor: "", ip: " " })).toEqual({});
    // Values PostgreSQL would choke on are refused up front, not sent as a failing query.
    for (const hostile of [
      { actor: "a\u0000b" },
      { from: "+275000-01-01" },
      { to: "0001-01-01" },
    ]) {
      expect(auditFilterSchema.safeParse(hostile).success).toBe(false);
    }
    expect(auditPageSchema.safeParse({ cursor: "1e20" }).success).toBe(false);
  });

  it("pages newest first without gaps or repeats, also across events of the same instant", async () => {
    const [actor] = await createPlayers(db, 1);
    if (!actor) throw new Error("no player");
    // One transaction: all 7 events share one `at` (now() is the transaction's start).
    await db.transaction(async (tx) => {
      for (let i = 0; i < 7; i++) {
        await recordEvent(tx, {
          actorId: actor,
          action: "paging",
          subject: `n:${i}`,
          outcome: "ok",
        });
      }
    });
    await recordEvent(db, { actorId: actor, action: "paging", subject: "n:7", outcome: "ok" });
    const seen: string[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await searchAuditEvents(db, { actor, action: "paging" }, { cursor, limit: 3 });
      seen.push(...page.events.map((e) => e.subject ?? ""));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["n:7", "n:6", "n:5", "n:4", "n:3", "n:2", "n:1", "n:0"]);

    const all: string[] = [];
    for await (const e of eachAuditEvent(db, { actor, action: "paging" }, 2))
      all.push(e.subject ?? "");
    expect(all).toEqual(seen);
  });
});
