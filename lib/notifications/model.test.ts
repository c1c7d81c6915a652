import { describe, expect, it } from "vitest";
import {
  describeCancelled,
  describeConfirmed,
  describeDelivery,
  describeNextStep,
  describeReminder,
  describeReversed,
  markReadSchema,
  preferencesChangeSchema,
} from "./model";

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
    expect(describeCancelled(facts, "rejected", "12.50")).toMatchObject({
      kind: "delivery_cancelled",
      title: "Amazon $25: delivery cancelled",
      body: "Our team declined this redemption on review, so the prize will not be sent. 12.50 SC were put back in your wallet.",
    });
    expect(describeCancelled(facts, "rejected", "0.00").body).not.toMatch(/SC/);
  });

  it("word a reversal by what became of the prize", () => {
    const body = (prize: "returned" | "cancelling" | "recovered" | "lost") =>
      describeReversed(facts, "Chargeback", prize).body;
    expect(body("returned")).toBe(
      "An admin reversed this redemption. Your prize had not been sent, so it went back, and its code no longer works. Reason given: Chargeback",
    );
    expect(body("cancelling")).toMatch(/will stop working: do not use it\./);
    expect(body("recovered")).toMatch(/no longer works\./);
    expect(body("lost")).toMatch(/already been sent, so it was not taken back\./);
  });

  it("word a next step with where to take it and by when", () => {
    expect(describeNextStep(facts, "wallet", null)).toMatchObject({
      kind: "next_step_wallet",
      link: "/account",
      body: expect.stringMatching(/^It is paid in tokens to your wallet: link one/),
    });
    expect(describeNextStep(facts, "identity", null).link).toBe("/account/identity");
    const reminder = describeReminder(facts, "address", "2030-01-02T03:04:00.000Z");
    expect(reminder).toMatchObject({ kind: "next_step_reminder", link: "/redemptions/r1" });
    expect(reminder.body).toMatch(/Do it by .*2030.*, or the prize goes back\.$/);
  });

  it("preferences take known events and channels only, or in-app only", () => {
    const parse = (body: unknown) => preferencesChangeSchema.safeParse(body);
    expect(parse({ inAppOnly: true }).success).toBe(true);
    expect(parse({ events: { delivered: { email: false } } }).success).toBe(true);
    const unknown = parse({ events: { delivered: { email: false }, prizes: { email: false } } });
    expect(unknown.error?.issues[0]?.message).toBe(
      "Unknown event prizes: the events are confirmed, next_step, delivered, problem, reversed",
    );
    expect(parse({ events: { delivered: { sms: true } } }).error?.issues[0]?.message).toBe(
      "The channels are email and push",
    );
    for (const bad of [
      {},
      { inAppOnly: false },
      { inAppOnly: true, events: {} },
      { events: { delivered: { email: "no" } } },
      { events: [] },
      null,
    ]) {
      expect(parse(bad).success).toBe(false);
    }
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
