import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { auditWallet } from "./audit-wallet";
import { fundPlayers, parseFunding } from "./fund-players";
import { getBalances } from "./wallet";

const db = connectTestDb(4);

describe("seed:load --coins", () => {
  it("parses GC:N,SC:N", () => {
    expect(parseFunding("GC:1000,SC:50.5")).toEqual({ GC: 100_000, SC: 5050 });
    expect(parseFunding("SC:1")).toEqual({ SC: 100 });
    for (const bad of ["", "GC", "GC:0", "GC:-1", "XX:5", "GC:1,GC:2", "GC:1:2", "GC:1e3"]) {
      expect(parseFunding(bad), bad).toBeNull();
    }
  });

  it("funds every player once, through the journal, in batches", async () => {
    const players = await createPlayers(db, 1200);
    await fundPlayers(db, players, { GC: 100_000, SC: 500 });
    await fundPlayers(db, players, { GC: 100_000, SC: 500 });
    expect(await getBalances(db, players[1199] ?? "")).toEqual({
      GC: 100_000,
      SC: 500,
      redeemableSC: 0,
    });
    const audit = await auditWallet(db);
    expect(audit.breaks).toEqual([]);
    expect(audit.transactions).toBe(1200);
  });
});
