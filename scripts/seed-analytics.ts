/**
 * `npm run seed:analytics -- --redemptions N`: analytics load data in the configured database
 * (DATABASE_URL): players, prizes, ~N/5,000 past flash drops and one live drop, N redemptions
 * (a few expired or reversed), claim and refusal audit events, ledger entries (most anchored,
 * synthetically: use a database of its own), then the rollups rebuilt. `npm run bench:analytics`
 * seeds a fresh embedded database the same way and times the dashboard and report queries.
 */
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { seedAnalytics } from "./bench/analytics-seed";

const USAGE = "usage: npm run seed:analytics -- --redemptions N";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { redemptions: { type: "string", default: "1000000" } },
  });
  const redemptions = Number(values.redemptions);
  if (!Number.isInteger(redemptions) || redemptions < 1) {
    console.error(`--redemptions must be a positive whole number\n${USAGE}`);
    process.exit(2);
  }
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    console.error(
      "DATABASE_URL is not set: seed:analytics writes into an existing database, e.g.\n" +
        "  DATABASE_URL=postgres://prizeledger:prizeledger@127.0.0.1:54329/prizeledger " +
        "npm run seed:analytics -- --redemptions 1000000",
    );
    process.exit(2);
  }
  const { db, sql } = createDb(url, 4);
  try {
    const seed = await seedAnalytics(db, sql, {
      redemptions,
      log: (line) => console.log(`[seed:analytics] ${line}`),
    });
    console.log(
      `seeded ${seed.redemptions} redemptions and ${seed.refusals} refusals over ${seed.drops} drops ` +
        `(live drop ${seed.liveDropId}), ${seed.players} players, in ${seed.seconds.toFixed(1)} s`,
    );
  } finally {
    await sql.end();
  }
}

main().catch((error: Error) => {
  console.error(`seed:analytics failed: ${error.message}`);
  process.exit(1);
});
