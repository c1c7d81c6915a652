/** `npm run web`: one web instance (build first with `npm run build`), configured by the environment. */
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase } from "../db/migrate";
import { productionMailProblem } from "../lib/mail/mail-capture";
import { loadEnvOrExit, startChild, stopChild } from "./lib/runtime";
import { webServerCommand } from "./lib/web-server";

// Every instance must share one keyring: a key generated locally would make other instances'
// codes unreadable, so the production halves take the code keys from the environment only.
const env = loadEnvOrExit("web", [
  "DATABASE_URL",
  "AUTH_SECRET",
  // Anyone who knows the webhook secret can confirm payments: the development default is public.
  "PAYMENT_WEBHOOK_SECRET",
  "CODE_ENCRYPTION_KEYS",
  "CODE_FINGERPRINT_KEY",
  // Provisional receipts are signed promises naming the chain and the contract; all of these
  // make up the ledger identity published at /.well-known/prizeledger.json.
  "RECEIPT_SIGNING_KEY",
  "LEDGER_CONTRACT",
  "LEDGER_CHAIN_ID",
  "LEDGER_DEPLOYMENT_BLOCK",
  // /api/health reads the node: without it every instance reports itself degraded.
  "LEDGER_RPC_URL",
  // The node the identity publishes to browsers and auditors. Never LEDGER_RPC_URL in its place:
  // that one may carry an API key in its URL, or speak WebSocket, which browsers cannot use.
  "LEDGER_PUBLIC_RPC_URL",
]);
const mailProblem = productionMailProblem(env);
if (mailProblem) {
  console.error(`web: ${mailProblem}`);
  process.exit(1);
}

const server = webServerCommand(env);
const standalone = server.env.NEXT_STANDALONE_DIR as string;
if (!fs.existsSync(path.join(standalone, "server.js"))) {
  console.error(`web: there is no web build in ${standalone}: run npm run build first`);
  process.exit(1);
}

await migrateDatabase(env.DATABASE_URL as string);
const web = startChild("web", process.execPath, server.args, {
  ...server.env,
  AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
  NEXT_TELEMETRY_DISABLED: "1",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void stopChild(web.child, web.exited).then(() => process.exit(0)));
}
process.exitCode = (await web.exited) ?? 1;
