/** `npm run docs:schema`: writes docs/receipt.schema.json from the receipt's zod schema. */
import fs from "node:fs";
import { receiptJsonSchema } from "../lib/ledger/receipt-json-schema";

fs.writeFileSync("docs/receipt.schema.json", receiptJsonSchema());
console.log("wrote docs/receipt.schema.json");
