import { describe, expect, it } from "vitest";
import { acceptedLanguages, knownTimeZone, negotiateLocale, viewerFrom } from "./locale";

describe("the viewer's locale", () => {
  it("takes the best-weighted tag a supported locale answers, exactly or by its language", () => {
    expect(negotiateLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(negotiateLocale("en-US,en;q=0.9")).toBe("en-US");
    expect(negotiateLocale("fr;q=0.5, ja-JP")).toBe("ja-JP");
    expect(negotiateLocale("de-AT")).toBe("de-DE");
    expect(negotiateLocale("EN-us")).toBe("en-US");
    expect(negotiateLocale("sw, pt-PT;q=0.4")).toBe("pt-BR");
  });

  it("keeps the header's order between equal weights, and skips what it refuses (q=0)", () => {
    expect(acceptedLanguages("fr-FR;q=0.8, de-DE;q=0.8, en-US;q=0")).toEqual(["fr-FR", "de-DE"]);
    expect(negotiateLocale("de-DE;q=0, fr")).toBe("fr-FR");
  });

  it("falls back to en-GB for no header, nothing supported, or a malformed one", () => {
    for (const header of [
      null,
      undefined,
      "",
      "*",
      "sw-KE",
      ";;;,,,",
      "de-DE;q=abc",
      "de-DE;q=2",
      "<script>alert(1)</script>",
      "de_DE",
      "x".repeat(10_000),
      `${"zz,".repeat(5_000)}de`,
      "\u0000de-DE",
    ]) {
      expect(negotiateLocale(header), JSON.stringify(header?.slice(0, 40))).toBe("en-GB");
    }
  });

  it("reads a malformed entry as absent and keeps the sound ones around it", () => {
    expect(acceptedLanguages("de-DE;q=1.5, ja-JP;q=0.7, 12345678901, fr")).toEqual(["fr", "ja-JP"]);
  });
});

describe("the viewer's time zone", () => {
  it("is a zone Intl knows, in its canonical spelling", () => {
    expect(knownTimeZone("America/New_York")).toBe("America/New_York");
    expect(knownTimeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(knownTimeZone("UTC")).toBe("UTC");
    expect(knownTimeZone("utc")).toBe("UTC");
  });

  it("is nothing for a made-up, hostile or oversized cookie", () => {
    for (const value of [
      undefined,
      null,
      "",
      "Mars/Olympus_Mons",
      "America/New_York; Path=/",
      "../../etc/passwd",
      "Europe/%2F",
      "A".repeat(200),
      "+05:00",
    ]) {
      expect(knownTimeZone(value), String(value)).toBeNull();
    }
  });

  it("makes the viewer of a request, UTC without a usable cookie", () => {
    expect(viewerFrom("de-DE", "America/New_York")).toEqual({
      locale: "de-DE",
      timeZone: "America/New_York",
    });
    expect(viewerFrom("garbage;;", "Nowhere/Else")).toEqual({ locale: "en-GB", timeZone: "UTC" });
  });
});
