import { afterAll, afterEach, describe, expect, inject, it, vi } from "vitest";
import { createDb } from "@/db/client";
import { databaseUrlFor } from "@/test/database-url";
import { connectTestDb } from "@/test/db";
import { checkHealth, sharedHealthCheck } from "./health";

const db = connectTestDb(2);
// A real server that answers with a real error naming the database it was asked for.
const missing = createDb(databaseUrlFor(inject("databaseUrl"), "health_secret_db_name"), 1);
afterAll(() => missing.sql.end({ timeout: 5 }));
afterEach(() => {
  vi.restoreAllMocks();
});

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe("checkHealth", () => {
  it("answers a database failure in fixed words and logs the database's own error", async () => {
    const logged = captureStderr();
    const { health, httpStatus } = await checkHealth(() => missing.db, undefined);
    expect(httpStatus).toBe(503);
    expect(health).toEqual({
      status: "degraded",
      database: { ok: false, error: "the database is not reachable" },
      ledger: { ok: false, error: "LEDGER_RPC_URL is not set" },
    });
    expect(JSON.stringify(health)).not.toContain("health_secret_db_name");
    const [line = "{}"] = logged;
    expect(JSON.parse(line)).toMatchObject({
      level: "error",
      event: "health_check_failed",
      check: "database",
    });
    expect(line).toContain("health_secret_db_name");
  });

  it("counts a pool that cannot be made as a database down", async () => {
    captureStderr();
    const { health } = await checkHealth(() => {
      throw new Error("DATABASE_URL is not set");
    }, undefined);
    expect(health.database).toEqual({ ok: false, error: "the database is not reachable" });
  });

  it("stays ready with a live database while the ledger node is down", async () => {
    captureStderr();
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    const { health, httpStatus } = await checkHealth(() => db, "http://127.0.0.1:9/");
    expect(httpStatus).toBe(200);
    expect(health).toEqual({
      status: "degraded",
      database: { ok: true },
      ledger: { ok: false, error: "the ledger is not reachable" },
    });
  });
});

describe("sharedHealthCheck", () => {
  it("asks the database once for requests that come while a check is under way", async () => {
    let made = 0;
    const check = sharedHealthCheck(() => {
      made++;
      return db;
    }, undefined);
    captureStderr();
    const answers = await Promise.all(Array.from({ length: 20 }, () => check()));
    expect(made).toBe(1);
    expect(answers.every((a) => a.httpStatus === 200 && a.health.database.ok)).toBe(true);
  });
});
