import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { createCoinPackage, setCoinPackageRetired } from "./coin-packages";
import { coinPackageSchema } from "./model";
import { listCoinPackages } from "./purchases";

const db = connectTestDb(4);

describe("coin packages", () => {
  it("an admin puts a package on sale and retires it", async () => {
    const [admin = ""] = await createPlayers(db, 1);
    const input = coinPackageSchema.parse({
      name: " Weekend ",
      price: "9.99",
      gc: "12000",
      bonusSc: "0",
    });
    expect(input).toEqual({ name: "Weekend", price: 999, gc: 1_200_000, bonusSc: 0 });
    const pack = await createCoinPackage(db, admin, input);
    expect((await listCoinPackages(db)).map((p) => p.id)).toContain(pack.id);
    await setCoinPackageRetired(db, admin, pack.id, true);
    expect((await listCoinPackages(db)).map((p) => p.id)).not.toContain(pack.id);
    await expect(setCoinPackageRetired(db, admin, crypto.randomUUID(), true)).rejects.toThrow(
      "No such coin package",
    );
  });

  it("refuses prices and amounts that are not exact, positive coins", () => {
    for (const bad of [
      { price: "0", gc: "1", bonusSc: "0" },
      { price: "1.999", gc: "1", bonusSc: "0" },
      { price: "1", gc: "-1", bonusSc: "0" },
      { price: "1", gc: "1", bonusSc: "x" },
      { price: "10000.01", gc: "1", bonusSc: "0" },
    ]) {
      expect(coinPackageSchema.safeParse({ name: "P", ...bad }).success, JSON.stringify(bad)).toBe(
        false,
      );
    }
  });
});
