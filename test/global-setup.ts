import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../db/migrate";
import { startEmbeddedPostgres } from "../lib/services/embedded-postgres";
import { ensureContractsCompiled } from "../scripts/lib/runtime";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * Integration tests run against real PostgreSQL: DATABASE_URL when set (a disposable database),
 * else a fresh embedded cluster under .data/test that is removed afterwards.
 */
export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const dir = path.resolve(".data", "test", `pg-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const port = 55_000 + (process.pid % 5000);
    const pg = await startEmbeddedPostgres(dir, port);
    url = pg.url;
    stop = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  await migrateDatabase(url);
  // The chain tests deploy the compiled contract.
  await ensureContractsCompiled((line) => console.log(line));
  project.provide("databaseUrl", url);
  return stop;
}
