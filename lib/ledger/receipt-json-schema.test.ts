import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { receiptJsonSchema } from "./receipt-json-schema";

describe("docs/receipt.schema.json", () => {
  it("is the receipt schema the verifier enforces (regenerate with npm run docs:schema)", () => {
    expect(fs.readFileSync("docs/receipt.schema.json", "utf8")).toBe(receiptJsonSchema());
  });
});
