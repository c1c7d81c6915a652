import { describe, expect, it } from "vitest";
import { databaseHosts, databaseUrlProblem } from "./database-url";

const pair =
  "postgres://prizeledger:s%40cret@db1.internal:5432,db2.internal:5433/prizeledger?target_session_attrs=read-write";

describe("databaseHosts", () => {
  it("lists every server in order, 5432 where no port is given", () => {
    expect(databaseHosts(pair)).toEqual([
      { host: "db1.internal", port: 5432 },
      { host: "db2.internal", port: 5433 },
    ]);
    expect(databaseHosts("postgresql://u@db/app")).toEqual([{ host: "db", port: 5432 }]);
  });
});

describe("databaseUrlProblem", () => {
  it("takes one server, or several that only a writable one may serve", () => {
    expect(databaseUrlProblem(pair)).toBeUndefined();
    expect(databaseUrlProblem("postgres://u:p@127.0.0.1:5432/app")).toBeUndefined();
    expect(databaseUrlProblem("postgres://u@a,b/app?target_session_attrs=primary")).toBeUndefined();
    // libpq's default host (PGHOST, else localhost).
    expect(databaseUrlProblem("postgres:///app")).toBeUndefined();
  });

  it("refuses several servers that a write could reach as a standby", () => {
    for (const url of [
      "postgres://u:p@db1:5432,db2:5432/app",
      "postgres://u:p@db1,db2/app?target_session_attrs=prefer-standby",
    ]) {
      expect(databaseUrlProblem(url)).toContain("target_session_attrs=read-write");
    }
  });

  it("names what is malformed", () => {
    expect(databaseUrlProblem("mysql://u@db/app")).toContain("postgres://");
    expect(databaseUrlProblem("db1:5432")).toContain("postgres://");
    expect(
      databaseUrlProblem("postgres://u@db1,,db2/app?target_session_attrs=read-write"),
    ).toContain("empty host");
    expect(databaseUrlProblem("postgres://u@db1:5432,db2:99999/app")).toContain("bad port for db2");
    expect(databaseUrlProblem("postgres://u@db1:x/app")).toContain("bad port for db1");
    expect(
      databaseUrlProblem("postgres://u@[::1]:5432,db2/app?target_session_attrs=read-write"),
    ).toContain("IPv6");
    expect(databaseUrlProblem("postgres://u@db/app?target_session_attrs=writable")).toContain(
      "target_session_attrs=writable",
    );
  });
});
