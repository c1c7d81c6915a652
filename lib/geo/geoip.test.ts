import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countryMmdb } from "@/test/mmdb";
import { lookupCountry, requestCountry } from "./geoip";

const dir = mkdtempSync(path.join(tmpdir(), "geoip-"));
const database = path.join(dir, "countries.mmdb");
writeFileSync(
  database,
  countryMmdb({ "192.0.2.0/24": "DE", "198.51.100.0/24": "US", "203.0.113.128/25": "FR" }),
);

describe("GeoIP", () => {
  it("places addresses in the countries of a MaxMind-format database", async () => {
    expect(await lookupCountry(database, "192.0.2.77")).toBe("DE");
    expect(await lookupCountry(database, "198.51.100.1")).toBe("US");
    expect(await lookupCountry(database, "203.0.113.200")).toBe("FR");
    expect(await lookupCountry(database, "::ffff:192.0.2.1")).toBe("DE");
  });

  it("knows nothing of addresses outside its networks or that are not addresses", async () => {
    expect(await lookupCountry(database, "203.0.113.5")).toBeNull();
    expect(await lookupCountry(database, "127.0.0.1")).toBeNull();
    expect(await lookupCountry(database, "not an address")).toBeNull();
  });

  it("prefers the trusted proxy's header, and has no opinion when nothing is configured", async () => {
    const headers = new Headers({ "cf-ipcountry": "gb" });
    const both = { GEOIP_DATABASE: database, GEOIP_COUNTRY_HEADER: "cf-ipcountry" };
    expect(await requestCountry(headers, "192.0.2.1", both)).toBe("GB");
    // Cloudflare's "unknown" falls back to the database.
    expect(await requestCountry(new Headers({ "cf-ipcountry": "XX" }), "192.0.2.1", both)).toBe(
      "DE",
    );
    expect(await requestCountry(headers, "192.0.2.1", {})).toBeNull();
  });

  it("refuses to judge rather than pass everyone when the database cannot be read", async () => {
    await expect(lookupCountry(path.join(dir, "missing.mmdb"), "192.0.2.1")).rejects.toThrow(
      /location check is unavailable/,
    );
  });
});
