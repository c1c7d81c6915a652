/**
 * `npm run seed:load -- --players N --units U --out FILE [--coins GC:N,SC:N]`: load-test data in the installation's
 * database (DATABASE_URL, else npm start's embedded one): N eligible players, each with an API token, and one live first-come
 * drop of U units. With --coins each player is funded that many coins through the journal (one
 * wallet transaction per player, from promotions). Writes `{"dropId": …, "players": [{"id", "email", "token"}]}` to FILE for
 * `npm run bench:claims -- --url … --seed-file FILE` or an outside load tool.
 *
 * The players have no usable password (the stored hash is a placeholder that never verifies):
 * they authenticate with their API token only.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { userForApiToken } from "@/lib/auth/api-tokens";
import { flushApiTokenUses } from "@/lib/auth/token-verifier";
import { fundPlayers, parseFunding } from "@/lib/wallet/fund-players";
import { seedLoad } from "./bench/seed";
import { openInstallationDatabase } from "./lib/installation";

const USAGE = "usage: npm run seed:load -- --players N --units U --out FILE [--coins GC:N,SC:N]";

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive whole number\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      players: { type: "string" },
      units: { type: "string" },
      out: { type: "string" },
      coins: { type: "string" },
    },
  });
  const players = positive("players", values.players);
  const units = positive("units", values.units);
  if (!values.out) {
    console.error(`--out is required\n${USAGE}`);
    process.exit(2);
  }
  const funding = values.coins === undefined ? undefined : parseFunding(values.coins);
  if (funding === null) {
    console.error(`--coins must be like GC:1000,SC:50\n${USAGE}`);
    process.exit(2);
  }
  const database = await openInstallationDatabase();
  const { db, sql } = createDb(database.url, 4);
  try {
    const started = performance.now();
    const seed = await seedLoad(db, sql, { players, units });
    if (funding) {
      await fundPlayers(
        db,
        seed.players.map((p) => p.id),
        funding,
      );
    }
    // The tokens must be ones the app accepts: check one through the app's own lookup.
    const sample = seed.players[0];
    if (sample && (await userForApiToken(db, sample.token))?.id !== sample.id) {
      throw new Error("a seeded API token is not accepted by userForApiToken");
    }
    fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    fs.writeFileSync(values.out, JSON.stringify(seed));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `seeded ${players} players with API tokens and drop ${seed.dropId} (${units} units) ` +
        `${funding ? `funded with ${values.coins} each ` : ""}in ${seconds} s → ${values.out}`,
    );
  } finally {
    // The sample's use is written a moment after the lookup: before the pool closes, not after.
    await flushApiTokenUses(db);
    await sql.end();
    await database.close();
  }
}

main().catch((error: Error) => {
  console.error(`seed:load failed: ${error.message}`);
  process.exit(1);
});
