import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./client";

const dialect = new PgDialect();

/**
 * Runs a statement as a prepared statement of its connection. Drizzle sends its statements
 * unnamed, and postgres.js must then ask the server for their parameter types before it can
 * bind them: two round trips and two parses for every call. Prepared, a statement is parsed,
 * described and planned once per connection, and each later call is one Bind and Execute.
 *
 * Only for statements whose text does not depend on the data (arrays through unnest, not VALUES
 * or IN lists of the batch's length): every distinct text stays prepared on each connection.
 * `DATABASE_PREPARED_STATEMENTS=false` (a pooler that cannot carry them) sends them unnamed.
 */
export async function executePrepared<T extends Record<string, unknown>>(
  db: DbOrTx,
  query: SQL,
): Promise<T[]> {
  // The name only tells drizzle to let postgres.js prepare it; postgres.js names statements by
  // their text and parameter types.
  const prepared = db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, "hot", false);
  return (await prepared.execute()) as T[];
}
