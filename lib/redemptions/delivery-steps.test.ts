import { describe, expect, it } from "vitest";
import { deliveryStepLine } from "./delivery-steps";

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
