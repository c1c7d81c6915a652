import { describe, expect, it, vi } from "vitest";
import type { LiveFeed } from "@/lib/analytics/live";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { updateDrop } from "./drops";
import { createDropFeeds, createDropStreamLimits } from "./live";
import { type DropLiveState, dropStatusAt } from "./model";

const db = connectTestDb(4);

describe("drop pages follow their drop", () => {
  it("a pause, a claim and an early end reach the drop's feed through LISTEN/NOTIFY", async () => {
    const { dropId } = await createTestDrop(db, { units: 2 });
    const [admin] = await createPlayers(db, 1, { role: "admin" });
    const actor = { actorId: admin as string };
    const seen: DropLiveState[] = [];
    const stop = createDropFeeds(db)
      .feedFor(dropId)
      .subscribe((state) => seen.push(state));
    const last = () => seen.at(-1);
    await vi.waitFor(() => expect(last()).toMatchObject({ paused: false, remaining: 2 }));
    await updateDrop(db, dropId, { paused: true }, actor);
    await vi.waitFor(() => expect(last()).toMatchObject({ paused: true }));
    await updateDrop(db, dropId, { paused: false }, actor);
    const [player] = await createPlayers(db, 1);
    await claimDrop(db, { dropId, playerId: player as string });
    await vi.waitFor(() => expect(last()).toMatchObject({ paused: false, remaining: 1 }));
    await updateDrop(db, dropId, { end: true }, actor);
    await vi.waitFor(() => expect(last()?.endedEarlyAt).not.toBeNull());
    expect(dropStatusAt(last() as DropLiveState, Date.now())).toBe("ended");
    stop();
  });

  it("judges the window first, then the pause, then the stock", () => {
    const state: DropLiveState = {
      paused: true,
      remaining: 0,
      units: 3,
      startsAt: "2030-01-01T10:00:00.000Z",
      endsAt: "2030-01-01T11:00:00.000Z",
      endedEarlyAt: null,
    };
    const at = (time: string, change: Partial<DropLiveState> = {}) =>
      dropStatusAt({ ...state, ...change }, Date.parse(time));
    expect(at("2030-01-01T09:59:59.999Z")).toBe("upcoming");
    expect(at("2030-01-01T10:00:00.000Z")).toBe("paused");
    expect(at("2030-01-01T10:00:00.000Z", { paused: false })).toBe("sold_out");
    expect(at("2030-01-01T10:30:00.000Z", { paused: false, remaining: 1 })).toBe("live");
    expect(at("2030-01-01T11:00:00.000Z", { paused: false, remaining: 1 })).toBe("ended");
  });
});

describe("drop stream limits", () => {
  const idle: LiveFeed<number> = {
    subscribe: () => () => {},
    poke: () => {},
    subscriberCount: () => 0,
  };

  it("refuses an address beyond its streams, and takes it again once one ends", () => {
    const limits = createDropStreamLimits(2, 10);
    const first = limits.hold(idle, "203.0.113.7").subscribe(() => {});
    limits.hold(idle, "203.0.113.7").subscribe(() => {});
    expect(() => limits.hold(idle, "203.0.113.7")).toThrow(
      expect.objectContaining({ code: "rate_limited" }),
    );
    // Another address is not held back by the first one's streams.
    limits.hold(idle, "198.51.100.1").subscribe(() => {});
    first();
    first(); // An end reported twice gives one place back.
    expect(limits.open()).toBe(2);
    expect(() => limits.hold(idle, "203.0.113.7").subscribe(() => {})).not.toThrow();
    expect(() => limits.hold(idle, "203.0.113.7")).toThrow(
      expect.objectContaining({ code: "rate_limited" }),
    );
  });

  it("holds every process to its total, addresses or none", () => {
    const limits = createDropStreamLimits(5, 3);
    limits.hold(idle, null).subscribe(() => {});
    limits.hold(idle, null).subscribe(() => {});
    limits.hold(idle, "203.0.113.7").subscribe(() => {});
    expect(() => limits.hold(idle, "198.51.100.1")).toThrow(
      expect.objectContaining({ code: "rate_limited" }),
    );
  });
});
