/**
 * What the replay commands (lottery:replay, queue:replay) read: a drop's public document from a
 * file, from a site by its URL, or from the installation's database (the very document the site
 * publishes). Exits with a message in words when none can be read.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDb, type Db } from "../../db/client";
import { openInstallationDatabase } from "./installation";

export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

export type DocumentSource<T> = {
  /** The command, for its usage line: "lottery:replay". */
  command: string;
  /** The document's name in the usage line: "transcript". */
  name: string;
  /** The site's path of a drop's document. */
  path: (dropId: string) => string;
  /** The document from the database, or undefined when the drop has none. */
  read: (db: Db, dropId: string) => Promise<T | undefined>;
  /** Why a drop has none, for the refusal: "no lottery drop". */
  missing: string;
};

export async function loadPublishedDocument<T>(
  spec: DocumentSource<T>,
): Promise<{ source: string; document: T }> {
  const usage =
    `usage: npm run ${spec.command} -- [--url <site>] --drop <dropId>\n` +
    `       npm run ${spec.command} -- --file <${spec.name}.json>`;
  let values: { url?: string; drop?: string; file?: string };
  try {
    ({ values } = parseArgs({
      options: { url: { type: "string" }, drop: { type: "string" }, file: { type: "string" } },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
  if (values.file) {
    try {
      return { source: values.file, document: JSON.parse(await readFile(values.file, "utf8")) };
    } catch (error) {
      fail(`${values.file} cannot be read as JSON: ${(error as Error).message}`);
    }
  }
  if (!values.drop) fail(usage);
  if (!values.url) return installationDocument(spec, values.drop);
  const source = new URL(spec.path(encodeURIComponent(values.drop)), values.url);
  const res = await fetch(source).catch((error: Error) =>
    fail(`cannot reach ${source}: ${error.message}`),
  );
  if (!res.ok) fail(`${source} answered HTTP ${res.status}: ${await res.text()}`);
  return { source: source.href, document: (await res.json()) as T };
}

async function installationDocument<T>(
  spec: DocumentSource<T>,
  dropId: string,
): Promise<{ source: string; document: T }> {
  const database = await openInstallationDatabase().catch((error: Error) => fail(error.message));
  const { db, sql } = createDb(database.url, 1);
  const document = await spec.read(db, dropId).finally(async () => {
    await sql.end();
    await database.close();
  });
  if (!document) fail(`${spec.missing} ${dropId} in the installation's database`);
  return { source: "the installation's database", document };
}
