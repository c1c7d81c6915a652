import { describe, expect, it } from "vitest";
import { deliveryStepLine, describeDelivery } from "./delivery-steps";

const states = (status: Parameters<typeof deliveryStepLine>[0], submitted = false) =>
  deliveryStepLine(status, submitted).steps.map((s) => `${s.id}:${s.state}`);

describe("a delivery's step line", () => {
  it("walks pending → submitted → delivered", () => {
    expect(states("pending")).toEqual(["pending:current", "submitted:todo", "delivered:todo"]);
    expect(states("submitted", true)).toEqual([
      "pending:done",
      "submitted:current",
      "delivered:todo",
    ]);
    expect(states("delivered", true)).toEqual(["pending:done", "submitted:done", "delivered:done"]);
    expect(deliveryStepLine("delivered", true)).toMatchObject({ summary: "Delivered", note: null });
  });

  it("marks a failure at the step it failed from, in words", () => {
    expect(states("failed")).toEqual(["pending:failed", "submitted:todo", "delivered:todo"]);
    expect(states("failed", true)).toEqual(["pending:done", "submitted:failed", "delivered:todo"]);
    expect(deliveryStepLine("failed", false)).toMatchObject({
      summary: "Failed, retrying",
      tone: "waiting",
    });
    expect(deliveryStepLine("dead", true)).toMatchObject({ summary: "Stopped", tone: "bad" });
    expect(deliveryStepLine("cancelled", false)).toMatchObject({
      summary: "Cancelled",
      tone: "bad",
    });
    expect(states("waiting")).toEqual(["pending:todo", "submitted:todo", "delivered:todo"]);
  });
});

describe("a token prize's step line", () => {
  it("says its transfer goes on chain and, delivered, is paid", () => {
    const token = (status: Parameters<typeof deliveryStepLine>[0]) =>
      describeDelivery({ status, provider: "token", reference: "0x1", shipment: null });
    expect(token("submitted").steps.map((s) => s.label)).toEqual([
      "Queued",
      "Sent on chain",
      "Paid",
    ]);
    expect(token("submitted").summary).toBe("Sent on chain");
    expect(token("delivered").summary).toBe("Delivered");
  });
});

describe("a parcel's step line", () => {
  const parcel = (
    status: Parameters<typeof deliveryStepLine>[0],
    shipment: { step: "packed" | "shipped"; carrier: string | null } | null = null,
    reference: string | null = null,
  ) => describeDelivery({ status, provider: "shipping", reference, shipment });
  const line = (l: ReturnType<typeof parcel>) =>
    l.steps.map((s) => `${s.id}:${s.state}${s.detail ? `:${s.detail}` : ""}`);

  it("walks packed → shipped (carrier and tracking number) → delivered", () => {
    expect(line(parcel("waiting"))).toEqual(["packed:todo", "shipped:todo", "delivered:todo"]);
    expect(line(parcel("pending"))).toEqual(["packed:current", "shipped:todo", "delivered:todo"]);
    expect(parcel("pending").summary).toBe("Being packed");
    expect(line(parcel("submitted", { step: "packed", carrier: null }))).toEqual([
      "packed:done",
      "shipped:current",
      "delivered:todo",
    ]);
    const shipped = parcel("submitted", { step: "shipped", carrier: "DHL" }, "JD0146 0000 1");
    expect(line(shipped)).toEqual([
      "packed:done",
      "shipped:done:DHL · tracking JD0146 0000 1",
      "delivered:current",
    ]);
    expect(shipped.summary).toBe("Shipped");
    expect(line(parcel("delivered", null, "JD0146 0000 1"))).toEqual([
      "packed:done",
      "shipped:done:tracking JD0146 0000 1",
      "delivered:done",
    ]);
  });

  it("ends where the parcel stood when it is cancelled", () => {
    const cancelled = parcel("cancelled", { step: "packed", carrier: null });
    expect(line(cancelled)).toEqual(["packed:done", "shipped:todo", "delivered:todo"]);
    expect(cancelled).toMatchObject({ summary: "Cancelled", tone: "bad" });
  });

  it("keeps the provider's line for every other prize", () => {
    expect(
      line(
        describeDelivery({
          status: "pending",
          provider: "giftcard",
          reference: null,
          shipment: null,
        }),
      ),
    ).toEqual(["pending:current", "submitted:todo", "delivered:todo"]);
  });
});
