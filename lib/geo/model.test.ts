import { describe, expect, it } from "vitest";
import { COUNTRIES, countryCodeSchema, countryName, isCountryCode } from "./model";

describe("countries", () => {
  it("lists each of the 249 assigned ISO 3166-1 alpha-2 codes once, in code order", () => {
    const codes = COUNTRIES.map((country) => country.code);
    expect(codes).toHaveLength(249);
    expect(new Set(codes).size).toBe(249);
    expect(codes).toEqual([...codes].sort());
    for (const code of codes) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it("recognises assigned codes only, case-sensitively", () => {
    expect(isCountryCode("US")).toBe(true);
    expect(isCountryCode("us")).toBe(false);
    expect(isCountryCode("UK")).toBe(false);
    expect(isCountryCode("XX")).toBe(false);
    expect(countryName("DE")).toBe("Germany");
  });

  it("parses a region in any case and refuses unknown codes with a readable message", () => {
    expect(countryCodeSchema.parse(" gb ")).toBe("GB");
    const result = countryCodeSchema.safeParse("ZZ");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/ISO 3166-1 alpha-2/);
    expect(countryCodeSchema.safeParse(42).success).toBe(false);
  });
});
