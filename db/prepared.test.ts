import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { connectTestDb } from "@/test/db";
import { executePrepared } from "./prepared";

// As a script (seed:load, accounts, audit:wallet) runs behind a pooler in transaction mode: set
// before anything reads the environment, since env() reads it once.
const before = vi.hoisted(() => {
  const value = process.env.DATABASE_PREPARED_STATEMENTS;
  process.env.DATABASE_PREPARED_STATEMENTS = "false";
  return value;
});
afterAll(() => {
  if (before === undefined) delete process.env.DATABASE_PREPARED_STATEMENTS;
  else process.env.DATABASE_PREPARED_STATEMENTS = before;
});

const db = connectTestDb(1);

describe("DATABASE_PREPARED_STATEMENTS=false", () => {
  it("leaves no named statement on the connection of a pool made without the option", async () => {
    const named = await db.transaction(async (tx) => {
      await executePrepared(tx, sql`select ${1}::int as one`);
      return tx.execute<{ n: number }>(
        sql`select count(*)::int as n from pg_prepared_statements where not from_sql`,
      );
    });
    expect(named[0]?.n).toBe(0);
  });
});
