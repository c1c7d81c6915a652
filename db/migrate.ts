import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/** Applies the committed migrations; safe to run from several processes at once (drizzle locks). */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Serialise concurrent migrators (several workers/web instances starting together).
    await sql`select pg_advisory_lock(72091)`;
    await migrate(drizzle(sql), { migrationsFolder: path.join(process.cwd(), "db/migrations") });
  } finally {
    await sql.end();
  }
}
