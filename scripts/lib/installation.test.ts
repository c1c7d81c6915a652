import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { runningEmbeddedPostgres, startEmbeddedPostgres } from "@/scripts/lib/embedded-postgres";
import { freePort } from "@/scripts/lib/free-port";
import { adoptSingleServer } from "@/scripts/lib/replicated-database";
import { embeddedDatabaseDir, NoInstallationError, openInstallationDatabase } from "./installation";

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

/** A data directory of its own with the given files (a PG_VERSION marks a database's directory). */
function layout(files: Record<string, string>): string {
  const dir = path.join(dataDir, `layout-${randomBytes(4).toString("hex")}`);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("embeddedDatabaseDir", () => {
  it("is npm start's server while no pair exists", () => {
    const dir = layout({ "postgres/PG_VERSION": "17" });
    expect(embeddedDatabaseDir(dir)).toEqual({ dir: path.join(dir, "postgres") });
  });

  it("follows the pair's primary as pair.json names it, and names an old copy beside it", () => {
    const dir = layout({
      "postgres/PG_VERSION": "17",
      "postgres-pair/pair.json": JSON.stringify({ primary: "b" }),
      "postgres-pair/a/PG_VERSION": "17",
      "postgres-pair/b/PG_VERSION": "17",
    });
    expect(embeddedDatabaseDir(dir)).toEqual({
      dir: path.join(dir, "postgres-pair", "b"),
      pair: path.join(dir, "postgres-pair"),
      stale: path.join(dir, "postgres"),
    });
  });

  it("takes a as the primary of a pair stopped before it wrote pair.json", () => {
    const dir = layout({ "postgres-pair/a/PG_VERSION": "17" });
    expect(embeddedDatabaseDir(dir).dir).toBe(path.join(dir, "postgres-pair", "a"));
  });

  it("refuses a pair.json that names no primary, in words", () => {
    const dir = layout({ "postgres-pair/pair.json": '{"primary": "c"}' });
    expect(() => embeddedDatabaseDir(dir)).toThrow(/names no primary: write \{"primary": "a"\}/);
    fs.writeFileSync(path.join(dir, "postgres-pair", "pair.json"), "{not json");
    expect(() => embeddedDatabaseDir(dir)).toThrow(/names no primary/);
  });
});

describe("adoptSingleServer", () => {
  it("moves npm start's database into the pair, leaving no copy behind", () => {
    const dir = layout({ "postgres/PG_VERSION": "17", "postgres/base/1": "rows" });
    adoptSingleServer(path.join(dir, "postgres"), path.join(dir, "postgres-pair"), () => {});
    expect(fs.existsSync(path.join(dir, "postgres"))).toBe(false);
    expect(fs.readFileSync(path.join(dir, "postgres-pair", "a", "base", "1"), "utf8")).toBe("rows");
    expect(embeddedDatabaseDir(dir).dir).toBe(path.join(dir, "postgres-pair", "a"));
  });

  it("leaves an existing pair, and a copy an earlier version left beside it, as they are", () => {
    const dir = layout({
      "postgres/PG_VERSION": "17",
      "postgres-pair/pair.json": JSON.stringify({ primary: "a" }),
      "postgres-pair/a/PG_VERSION": "17",
    });
    adoptSingleServer(path.join(dir, "postgres"), path.join(dir, "postgres-pair"), () => {});
    expect(fs.existsSync(path.join(dir, "postgres", "PG_VERSION"))).toBe(true);
    expect(embeddedDatabaseDir(dir).stale).toBe(path.join(dir, "postgres"));
  });

  it("adopts after a crash that made the pair's directory but moved nothing yet", () => {
    const dir = layout({ "postgres/PG_VERSION": "17" });
    fs.mkdirSync(path.join(dir, "postgres-pair"));
    adoptSingleServer(path.join(dir, "postgres"), path.join(dir, "postgres-pair"), () => {});
    expect(fs.existsSync(path.join(dir, "postgres-pair", "a", "PG_VERSION"))).toBe(true);
  });
});

describe("openInstallationDatabase on start:cluster's pair", () => {
  it("runs the pair's primary alone, its commits waiting for no standby", async () => {
    const pairDir = path.join(dataDir, "pair-alone", "postgres-pair");
    const port = await freePort();
    // The pair's primary b as the pair leaves it: commits wait for standby "a" (ALTER SYSTEM).
    const primary = await startEmbeddedPostgres(path.join(pairDir, "b"), port);
    const admin = postgres(primary.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`alter system set synchronous_standby_names = '"a"'`);
    await admin.end();
    await primary.stop();
    fs.writeFileSync(path.join(pairDir, "pair.json"), JSON.stringify({ primary: "b" }));
    // Stopped mid-promotion: the standby named primary still has its standby.signal.
    fs.writeFileSync(path.join(pairDir, "b", "standby.signal"), "");

    const config = parseEnv({
      PRIZELEDGER_DATA_DIR: path.dirname(pairDir),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
    const database = await openInstallationDatabase(config);
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ dir: string; recovery: boolean }[]>`
        select current_setting('data_directory') as dir, pg_is_in_recovery() as recovery`;
      expect(row).toEqual({ dir: path.join(pairDir, "b"), recovery: false });
      // A commit: it would wait forever for the standby the pair's settings name.
      await sql`create table written_alone (id int)`;
    } finally {
      await sql.end();
      await database.close();
    }
    expect(runningEmbeddedPostgres(path.join(pairDir, "b"))).toBeUndefined();
  }, 180_000);
});
