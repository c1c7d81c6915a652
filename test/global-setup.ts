import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../db/migrate";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { ensureContractsCompiled } from "../scripts/lib/runtime";
import { databaseUrlFor } from "./database-url";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}

export const TEMPLATE_DATABASE = "prizeledger_test_template";

/**
 * Integration tests run against real PostgreSQL: DATABASE_URL when set (a server where
 * the tests may create and drop databases),
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
  // Each test file gets its own copy of a migrated template database (see test/db.ts): files run
  // in parallel, and the ledger is one log per database.
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE}`);
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(databaseUrlFor(url, TEMPLATE_DATABASE));
  // The chain tests deploy the compiled contract.
  await ensureContractsCompiled((line) => console.log(line));
  project.provide("databaseUrl", url);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  return stop;
}
