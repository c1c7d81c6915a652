/**
 * `npm run audit:wallet`: checks the coin journal of the installation's database (DATABASE_URL,
 * else npm start's embedded one): every transaction sums to zero per currency, every balance and
 * playthrough is the sum of its postings, no player balance below zero, no round without its
 * transaction nor a round transaction without its round. Prints a summary; exits 1 on any break.
 */
import { createDb } from "@/db/client";
import { auditWallet } from "@/lib/wallet/audit-wallet";
import { openInstallationDatabase } from "./lib/installation";

async function main(): Promise<number> {
  const database = await openInstallationDatabase();
  const { db, sql } = createDb(database.url, 1);
  try {
    const started = performance.now();
    // One snapshot: a transaction committing meanwhile is seen whole or not at all.
    const audit = await db.transaction(async (tx) => auditWallet(tx), {
      isolationLevel: "repeatable read",
      accessMode: "read only",
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `wallet journal: ${audit.transactions} transactions, ${audit.postings} postings, ` +
        `${audit.accounts} accounts, ${audit.rounds} rounds, checked in ${seconds} s`,
    );
    if (audit.breaks.length === 0) {
      console.log("ok: every check holds");
      return 0;
    }
    for (const b of audit.breaks) {
      console.log(`BROKEN: ${b.rule}: ${b.count}`);
      for (const sample of b.samples) console.log(`  ${sample}`);
    }
    return 1;
  } finally {
    await sql.end();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`audit:wallet failed: ${error.message}`);
    process.exit(2);
  },
);
