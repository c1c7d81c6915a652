import { describe, expect, it } from "vitest";
import { describeConfirmed, describeDelivery, markReadSchema } from "./model";

const facts = { redemptionId: "r1", playerId: "p1", prizeName: "Amazon $25" };

describe("notification words", () => {
  it("say where a prize came from and what the player must do next", () => {
    const confirmed = (origin: "claim" | "draw" | "round" | "catalog", status = "fulfilled") =>
      describeConfirmed({
        ...facts,
        origin,
        status: status as "fulfilled",
        actionDeadline: null,
      });
    expect(confirmed("draw").title).toBe("You won Amazon $25 in the draw");
    expect(confirmed("round").title).toBe("You won Amazon $25");
    expect(confirmed("catalog").title).toBe("You redeemed Amazon $25");
    expect(confirmed("round", "held").body).toBe(
      "Verify your email and declare your identity to receive it.",
    );
    expect(confirmed("catalog", "pending_approval").body).toMatch(/reviews it/);
    expect(confirmed("catalog", "awaiting_action").body).toBe(
      "Add a shipping address so we can send it.",
    );
    expect(confirmed("claim").link).toBe("/redemptions/r1");
  });

  it("word each delivery outcome for its provider", () => {
    expect(describeDelivery(facts, "delivered", "giftcard")).toMatchObject({
      kind: "delivery_delivered",
      body: "Your gift card is ready: open the redemption to see its code.",
    });
    expect(describeDelivery(facts, "cancelled", "shipping")).toMatchObject({
      kind: "delivery_cancelled",
      title: "Amazon $25: delivery cancelled",
    });
  });

  it("mark read takes ids or all, nothing else", () => {
    expect(markReadSchema.safeParse({ all: true }).success).toBe(true);
    expect(markReadSchema.safeParse({ all: false }).success).toBe(false);
    expect(markReadSchema.safeParse({ ids: [] }).success).toBe(false);
    expect(markReadSchema.safeParse({ ids: ["x"] }).success).toBe(false);
    expect(markReadSchema.safeParse({}).success).toBe(false);
    const many = Array.from({ length: 101 }, () => "0b1c6a52-8d8e-4c38-9a53-8c3b2c0f9f10");
    expect(markReadSchema.safeParse({ ids: many }).success).toBe(false);
  });
});
