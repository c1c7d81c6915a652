import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { installJobQueue } from "../lib/jobs/queue";

/** Applies the committed migrations and installs the job queue; safe to run from several processes at once (drizzle locks). */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Serialise concurrent migrators (several workers/web instances starting together).
    await sql`select pg_advisory_lock(72091)`;
    await migrate(drizzle(sql), { migrationsFolder: path.join(process.cwd(), "db/migrations") });
    // The job queue's own schema and queues, under the same lock.
    await installJobQueue(url);
  } finally {
    await sql.end();
  }
}
