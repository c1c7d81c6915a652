import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { runningEmbeddedPostgres, startEmbeddedPostgres } from "@/scripts/lib/embedded-postgres";
import { freePort } from "@/scripts/lib/free-port";
import { NoInstallationError, openInstallationDatabase } from "./installation";

const dataDir = path.resolve(".data", "test", `installation-${randomBytes(4).toString("hex")}`);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function databaseName(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ name: string }[]>`select current_database() as name`;
    return row?.name ?? "";
  } finally {
    await sql.end();
  }
}

describe("openInstallationDatabase", () => {
  it("uses DATABASE_URL when it is set", async () => {
    const url = "postgres://operator:secret@db.example:5432/prizes";
    const database = await openInstallationDatabase(
      parseEnv({ DATABASE_URL: url, PRIZELEDGER_DATA_DIR: dataDir }),
    );
    expect(database.url).toBe(url);
    await database.close();
  });

  it("says to run npm start first when there is no installation, and makes none", async () => {
    const opening = openInstallationDatabase(parseEnv({ PRIZELEDGER_DATA_DIR: dataDir }));
    await expect(opening).rejects.toThrow(NoInstallationError);
    await expect(opening).rejects.toThrow(/Run npm start first/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("reuses the server npm start runs, else runs one for the command alone", async () => {
    const clusterDir = path.join(dataDir, "postgres");
    const [startPort, configuredPort] = [await freePort(), await freePort()];
    // As npm start does, on a port of its own that the pid file tells.
    const npmStart = await startEmbeddedPostgres(clusterDir, startPort);
    try {
      const config = parseEnv({
        PRIZELEDGER_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(configuredPort),
      });
      const shared = await openInstallationDatabase(config);
      expect(shared.url).toBe(npmStart.url);
      await shared.close();
      // Closing must leave npm start's server running.
      expect(await databaseName(npmStart.url)).toBe("prizeledger");
      await npmStart.stop();

      const own = await openInstallationDatabase(config);
      expect(new URL(own.url).port).toBe(String(configuredPort));
      expect(await databaseName(own.url)).toBe("prizeledger");
      await own.close();
      expect(runningEmbeddedPostgres(clusterDir)).toBeUndefined();
    } finally {
      if (runningEmbeddedPostgres(clusterDir) !== undefined) await npmStart.stop();
    }
  }, 180_000);
});
