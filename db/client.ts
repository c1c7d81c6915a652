import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { databasePreparedStatements, env } from "@/lib/config/env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

/**
 * A pool. Prepared statements follow DATABASE_PREPARED_STATEMENTS unless the caller says
 * otherwise: scripts (seed:load, accounts, audit:wallet …) reach the same database through the
 * same pooler as the server, and a named statement there fails on the next transaction's backend.
 */
export function createDb(
  url: string,
  max = 10,
  options: { preparedStatements?: boolean } = {},
): { db: Db; sql: postgres.Sql } {
  const sql = postgres(url, {
    max,
    // db/prepared.ts: off, its statements are sent unnamed like every other.
    prepare: options.preparedStatements ?? databasePreparedStatements(),
    onnotice: () => {},
    connection: { application_name: "prizeledger" },
  });
  return { db: drizzle(sql, { schema }), sql };
}

/** The postgres.js client under a drizzle database, for what drizzle does not do (`listen`). */
export function sqlClient(db: Db): postgres.Sql {
  // drizzle() returns the database with its client attached; the Db type leaves it out.
  return (db as Db & { $client: postgres.Sql }).$client;
}

const globalForDb = globalThis as unknown as { prizeledgerDb?: { db: Db; sql: postgres.Sql } };

/** The process-wide pool, created lazily from DATABASE_URL (set by `npm start` in embedded mode). */
export function getDb(): Db {
  if (!globalForDb.prizeledgerDb) {
    const { DATABASE_URL, DATABASE_POOL_SIZE } = env();
    if (!DATABASE_URL) throw new Error("DATABASE_URL is not set");
    globalForDb.prizeledgerDb = createDb(DATABASE_URL, DATABASE_POOL_SIZE);
  }
  return globalForDb.prizeledgerDb.db;
}
