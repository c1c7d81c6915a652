import { describe, expect, it } from "vitest";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { listClaimAttempts, reasonInWords } from "./claim-attempts";
import { recordEvent } from "./record-event";

const db = connectTestDb(5);

describe("a player's claim attempts", () => {
  it("lists only the caller's own claims and lottery entries, newest first, with the reason in words", async () => {
    // Players who pass every default eligibility check, so only the stock decides.
    const [alice, bob] = await createPlayers(db, 2, {
      emailVerifiedAt: new Date(),
      adultDeclaredAt: new Date(),
      region: "GB",
    });
    if (!alice || !bob) throw new Error("no players");
    const { dropId } = await createTestDrop(db, { units: 1 });
    const claimed = await claimDrop(db, { dropId, playerId: alice });
    await expect(claimDrop(db, { dropId, playerId: bob })).rejects.toMatchObject({
      code: "sold_out",
    });
    await recordEvent(db, {
      actorId: alice,
      action: "lottery_enter",
      subject: `drop:${dropId}`,
      outcome: "refused",
      reason: "not_eligible:region",
    });
    // Not an attempt: other events of the same player stay out of the list.
    await recordEvent(db, { actorId: alice, action: "sign_in", outcome: "ok" });

    const mine = await listClaimAttempts(db, alice);
    expect(mine.attempts.map((a) => [a.kind, a.outcome, a.reason, a.message])).toEqual([
      [
        "lottery entry",
        "refused",
        "not_eligible:region",
        "You are not eligible for this drop: this drop is not open in your region",
      ],
      ["claim", "ok", null, null],
    ]);
    expect(mine.attempts[1]).toMatchObject({
      drop: { id: dropId, title: "Test drop" },
      redemptionId: claimed.redemption.id,
    });

    const theirs = await listClaimAttempts(db, bob);
    expect(theirs.attempts).toHaveLength(1);
    expect(theirs.attempts[0]).toMatchObject({
      outcome: "refused",
      reason: "sold_out",
      message: "Sold out: every unit of this drop has been claimed",
      drop: { id: dropId, title: "Test drop" },
    });
  });

  it("pages through many attempts", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    for (let i = 0; i < 5; i++) {
      await recordEvent(db, {
        actorId: player,
        action: "claim",
        subject: `drop:${i}`,
        outcome: "refused",
        reason: "ended",
      });
    }
    const first = await listClaimAttempts(db, player, { limit: 3 });
    const second = await listClaimAttempts(db, player, {
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    expect(first.attempts).toHaveLength(3);
    expect(second.attempts).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    // A subject that is not a drop id is shown without a drop, not an error.
    expect(second.attempts[0]?.drop).toBeNull();
  });

  it("words reasons it does not know yet without failing", () => {
    expect(reasonInWords("limit_reached", 3)).toBe(
      "You have already claimed the most units allowed per player (3)",
    );
    expect(reasonInWords("not_eligible:some_new_rule")).toBe("You are not eligible for this drop");
    expect(reasonInWords("brand_new")).toBe("Refused (brand_new)");
    expect(reasonInWords(null)).toBeNull();
  });
});
