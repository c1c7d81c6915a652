/** `npm run docs:schema`: writes the receipts' JSON Schemas under docs/ from their zod schemas. */
import fs from "node:fs";
import { receiptJsonSchemas } from "../lib/ledger/receipt-json-schema";

for (const [file, schema] of Object.entries(receiptJsonSchemas())) {
  fs.writeFileSync(file, schema);
  console.log(`wrote ${file}`);
}
