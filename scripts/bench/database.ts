/** The database a bench's DB part runs on: DATABASE_URL, or a fresh embedded PostgreSQL. */
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase } from "@/db/migrate";
import { startEmbeddedPostgres } from "@/scripts/lib/embedded-postgres";

export type BenchDatabase = {
  url: string;
  /** The embedded cluster's data directory (for its CPU time), when the bench started one. */
  pgDataDir?: string;
  /** Stops the embedded cluster and removes its directory. */
  close: () => Promise<void>;
};

export async function openBenchDatabase(
  name: string,
  pgPort: number,
  log: (line: string) => void,
): Promise<BenchDatabase> {
  const configured = process.env.DATABASE_URL?.trim();
  if (configured) {
    await migrateDatabase(configured);
    return { url: configured, close: async () => {} };
  }
  const benchDir = path.resolve(".data/bench", `${name}-${Date.now().toString(36)}`);
  log(`starting embedded PostgreSQL in ${path.relative(process.cwd(), benchDir)}`);
  const pgDataDir = path.join(benchDir, "postgres");
  const pg = await startEmbeddedPostgres(pgDataDir, pgPort);
  // Code keys for the engine's encryption live beside the bench's database.
  process.env.PRIZELEDGER_DATA_DIR = benchDir;
  const close = async () => {
    await pg.stop();
    fs.rmSync(benchDir, { recursive: true, force: true });
  };
  try {
    await migrateDatabase(pg.url);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: pg.url, pgDataDir, close };
}
