import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";

/*
 * postgres.js 3.4 reserves a connection for `sql.begin` only when its BEGIN left room in the
 * connection's pipeline. At the boundary the BEGIN went out unreserved: the caller got
 * UNSAFE_TRANSACTION, and the connection went back to the pool inside an open transaction, where
 * other callers' statements then ran (porsager/postgres#1189). patches/ reserves it always.
 * With `max_pipeline: 1` every BEGIN sent behind another query is on that boundary.
 */
describe("postgres.js transactions at the pipeline boundary", () => {
  const applicationName = "begin-boundary-test";
  // `max_pipeline` is a connection option the driver's types leave out.
  const options = {
    max: 2,
    max_pipeline: 1,
    onnotice: () => {},
    connection: { application_name: applicationName },
  } as postgres.Options<Record<string, never>>;
  const sql = postgres(inject("databaseUrl"), options);
  afterAll(() => sql.end());

  it("reserves the connection of a BEGIN that fills the pipeline", async () => {
    const inTransaction = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? sql.begin(async (tx) => {
              const [row] = await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
              return row !== undefined;
            })
          : sql<
              { open: boolean }[]
            >`select pg_current_xact_id_if_assigned() is not null as open`.then(
              ([row]) => row?.open,
            ),
      ),
    );
    expect(inTransaction).toEqual(Array.from({ length: 12 }, (_, i) => i % 3 === 0));
    const [row] = await sql<{ open: number }[]>`select count(*)::int as open
      from pg_stat_activity
      where application_name = ${applicationName} and state like 'idle in transaction%'`;
    expect(row?.open).toBe(0);
  });
});
