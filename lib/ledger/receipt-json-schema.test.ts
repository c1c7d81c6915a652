import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { receiptJsonSchemas } from "./receipt-json-schema";

describe("docs/*receipt.schema.json", () => {
  it("are the receipt schemas the verifiers enforce (regenerate with npm run docs:schema)", () => {
    for (const [file, schema] of Object.entries(receiptJsonSchemas())) {
      expect(fs.readFileSync(file, "utf8"), file).toBe(schema);
    }
  });
});
