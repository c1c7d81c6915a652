/**
 * Where a command (seed:load, otp, lottery:replay, accounts…) finds the installation's database:
 * DATABASE_URL when set; otherwise the embedded PostgreSQL that `npm start` keeps in
 * PRIZELEDGER_DATA_DIR, used where it runs while npm start runs it, or else started from its data
 * directory (on EMBEDDED_PG_PORT) for the command's duration and stopped after.
 */
import fs from "node:fs";
import path from "node:path";
import { type Env, parseEnv } from "../../lib/config/env";
import {
  embeddedPostgresUrl,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from "./embedded-postgres";

export type InstallationDatabase = {
  url: string;
  /** Stops the embedded server if this command started it; leaves anyone else's running. */
  close: () => Promise<void>;
};

/** There is nothing to work on yet: no DATABASE_URL and no embedded cluster. */
export class NoInstallationError extends Error {
  constructor(dir: string) {
    super(
      `no Prizeledger installation: ${dir} holds no database. Run npm start first, ` +
        "or set DATABASE_URL to work on another database",
    );
    this.name = "NoInstallationError";
  }
}

export async function openInstallationDatabase(
  config: Env = parseEnv(),
): Promise<InstallationDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, close: async () => {} };
  const dir = path.resolve(config.PRIZELEDGER_DATA_DIR, "postgres");
  // Checked first: starting the embedded server on an empty directory would make a new cluster.
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) throw new NoInstallationError(dir);
  const running = runningEmbeddedPostgres(dir);
  if (running !== undefined) return { url: embeddedPostgresUrl(running), close: async () => {} };
  const pg = await startEmbeddedPostgres(dir, config.EMBEDDED_PG_PORT);
  return { url: pg.url, close: pg.stop };
}
