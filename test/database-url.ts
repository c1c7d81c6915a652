/**
 * The same server and credentials, another database. Not through `new URL`: a DATABASE_URL that
 * names a primary and its standby (`db1:5432,db2:5432`) is no WHATWG URL.
 */
export function databaseUrlFor(url: string, database: string): string {
  const parts = /^([a-z]+:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/i.exec(url);
  if (!parts) throw new Error("DATABASE_URL is not a postgres:// URL");
  return `${parts[1]}/${encodeURIComponent(database)}${parts[2] ?? ""}`;
}
