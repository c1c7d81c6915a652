import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accountSignals, auditEvents, users } from "@/db/schema";
import { connectTestDb, createPlayers } from "@/test/db";
import { normalisePayout, recordSignals, sessionSignals } from "./account-links";

const db = connectTestDb(20);

async function groupsOf(ids: string[]): Promise<Array<string | null>> {
  const rows = await db
    .select({ id: users.id, group: users.accountGroupId })
    .from(users)
    .where(inArray(users.id, ids));
  return ids.map((id) => rows.find((r) => r.id === id)?.group ?? null);
}

describe("account links", () => {
  it("groups accounts that used the same device", async () => {
    const [a, b, c] = (await createPlayers(db, 3)) as [string, string, string];
    await recordSignals(db, sessionSignals(a, { deviceId: "device-one" }));
    expect(await groupsOf([a])).toEqual([null]);
    await recordSignals(db, sessionSignals(b, { deviceId: "device-one" }));
    const [ga, gb, gc] = await groupsOf([a, b, c]);
    expect(ga).not.toBeNull();
    expect(gb).toBe(ga);
    expect(gc).toBeNull();
    // Only keyed hashes are stored, never the value.
    const stored = await db.select().from(accountSignals).where(eq(accountSignals.userId, a));
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0]?.valueHash ?? []).toString("utf8")).not.toContain("device-one");
  });

  it("groups accounts that signed up or in from one address within the window, not later", async () => {
    const [a, b, c] = (await createPlayers(db, 3)) as [string, string, string];
    await recordSignals(db, sessionSignals(a, { ip: "198.51.100.7" }));
    await recordSignals(db, sessionSignals(b, { ip: "198.51.100.7" }));
    const [ga, gb] = await groupsOf([a, b]);
    expect(ga).not.toBeNull();
    expect(gb).toBe(ga);
    // An address last seen two days ago is no evidence any more.
    await db.execute(sql`
      update account_signals set last_seen_at = now() - interval '2 days'
      where user_id in (${a}, ${b})`);
    await recordSignals(db, sessionSignals(c, { ip: "198.51.100.7" }));
    expect(await groupsOf([c])).toEqual([null]);
  });

  it("never links by a loopback or private address: everyone behind it would be one group", () => {
    for (const ip of [
      "127.0.0.1",
      "::1",
      "10.1.2.3",
      "192.168.0.9",
      "172.20.0.1",
      "::ffff:127.0.0.1",
      "fd00::1",
    ]) {
      expect(sessionSignals("u", { ip })).toEqual([]);
    }
    expect(sessionSignals("u", { ip: "172.32.0.1" })).toEqual([
      { userId: "u", kind: "ip", value: "172.32.0.1" },
    ]);
  });

  it("groups accounts with the same payout details, however they are typed", async () => {
    const [a, b] = (await createPlayers(db, 2)) as [string, string];
    const address = ["1 Main Street", "", "Springfield", "12345", "US"];
    const typed = [" 1  MAIN street.", "", "springfield", "12345", "us"];
    expect(normalisePayout(typed)).toBe(normalisePayout(address));
    await recordSignals(db, [{ userId: a, kind: "payout", value: normalisePayout(address) }]);
    await recordSignals(db, [{ userId: b, kind: "payout", value: normalisePayout(typed) }]);
    const [ga, gb] = await groupsOf([a, b]);
    expect(ga).not.toBeNull();
    expect(gb).toBe(ga);
  });

  it("merges two groups into one when an account links them, and audits the merge", async () => {
    const [a, b, c, d, e] = (await createPlayers(db, 5)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await recordSignals(db, [
      ...sessionSignals(a, { deviceId: "left" }),
      ...sessionSignals(b, { deviceId: "left" }),
    ]);
    await recordSignals(db, [
      ...sessionSignals(c, { deviceId: "right" }),
      ...sessionSignals(d, { deviceId: "right" }),
    ]);
    const [left, , right] = await groupsOf([a, b, c, d]);
    expect(left).not.toBe(right);
    // e used both devices: everyone is one group, and no member is left behind on an old id.
    await recordSignals(db, [
      ...sessionSignals(e, { deviceId: "left" }),
      ...sessionSignals(e, { deviceId: "right" }),
    ]);
    const groups = await groupsOf([a, b, c, d, e]);
    expect(new Set(groups).size).toBe(1);
    expect(groups[0]).toBe([left, right].sort()[0]);
    const merges = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `account_group:${groups[0]}`));
    expect(merges.at(-1)?.data).toMatchObject({ after: { [e]: groups[0], [c]: groups[0] } });
  });

  it("links accounts recording the same new device at the same instant", async () => {
    const players = await createPlayers(db, 12);
    await Promise.all(
      players.map((id) => recordSignals(db, sessionSignals(id, { deviceId: "shared-tablet" }))),
    );
    const groups = await groupsOf(players);
    expect(groups.every((g) => g !== null)).toBe(true);
    expect(new Set(groups).size).toBe(1);
  });
});
