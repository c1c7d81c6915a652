import { z } from "zod";
import { provisionalReceiptSchema } from "./provisional";
import { receiptSchema } from "./receipt";

function jsonSchema(schema: z.ZodType, id: string, title: string): string {
  const document = {
    ...z.toJSONSchema(schema),
    $id: `https://prizeledger.example/schemas/${id}.json`,
    title,
    description: "See docs/receipt.md for the meaning of each field and how to verify it.",
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The receipts as JSON Schema documents for outside tools, by the file each is written to. */
export function receiptJsonSchemas(): Record<string, string> {
  return {
    "docs/receipt.schema.json": jsonSchema(
      receiptSchema,
      "receipt-v1",
      "Prizeledger anchored receipt, version 1",
    ),
    "docs/provisional-receipt.schema.json": jsonSchema(
      provisionalReceiptSchema,
      "provisional-receipt-v1",
      "Prizeledger provisional receipt, version 1",
    ),
  };
}
