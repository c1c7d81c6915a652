import { describe, expect, it } from "vitest";
import { claimReasonLabel } from "./reason-labels";

describe("claim reasons in words", () => {
  it("names every outcome and refusal, a rule of eligibility included", () => {
    expect(claimReasonLabel("claimed")).toBe("Claimed");
    expect(claimReasonLabel("sold_out")).toBe("Sold out");
    expect(claimReasonLabel("not_eligible:region")).toBe("Not eligible: region not open");
    expect(claimReasonLabel("not_eligible:linked_account")).toBe(
      "Not eligible: a linked account already claimed",
    );
  });

  it("spells out a code it does not know instead of showing it raw", () => {
    expect(claimReasonLabel("not_lottery")).toBe("First-come drop: claims only");
    expect(claimReasonLabel("idempotency_mismatch")).toBe("Idempotency mismatch");
    expect(claimReasonLabel("not_eligible:new_rule")).toBe("Not eligible: new rule");
    // Inherited object keys are not labels.
    expect(claimReasonLabel("constructor")).toBe("Constructor");
    expect(claimReasonLabel("")).toBe("Unknown");
  });
});
