import { z } from "zod";
import { receiptSchema } from "./receipt";

/** The anchored receipt as a JSON Schema document, for outside tools (docs/receipt.schema.json). */
export function receiptJsonSchema(): string {
  const schema = {
    ...z.toJSONSchema(receiptSchema),
    $id: "https://prizeledger.example/schemas/receipt-v1.json",
    title: "Prizeledger anchored receipt, version 1",
    description: "See docs/receipt.md for the meaning of each field and how to verify it.",
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
