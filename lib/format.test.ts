import { describe, expect, it } from "vitest";
import {
  clockTime,
  formatDateTime,
  formatInstant,
  formatMoney,
  localInputToIso,
  utcToZonedInput,
  zonedToUtc,
} from "./format";

const AT = "2026-12-06T08:00:00.000Z";

describe("formatting for the viewer", () => {
  it("says an instant in UTC by default, as mails do", () => {
    expect(formatDateTime(AT)).toBe("6 Dec 2026, 08:00:00 UTC");
    expect(formatDateTime(new Date(AT))).toBe("6 Dec 2026, 08:00:00 UTC");
  });

  it("says an instant in the viewer's locale and zone, naming the zone", () => {
    expect(formatInstant(AT, { locale: "de-DE", timeZone: "America/New_York" })).toBe(
      "06.12.2026, 03:00:00 GMT-5",
    );
    // ICU versions differ on the space before PM (narrow no-break or plain).
    expect(formatInstant(AT, { locale: "en-US", timeZone: "Asia/Tokyo" })).toMatch(
      /^Dec 6, 2026, 5:00:00\sPM GMT\+9$/,
    );
    expect(formatInstant(AT, { locale: "en-GB", timeZone: "UTC" }, "time")).toBe("08:00:00 UTC");
  });

  it("gives back what is not a time as it came", () => {
    expect(formatInstant("not a date", { locale: "de-DE", timeZone: "UTC" })).toBe("not a date");
  });

  it("writes dollars in the viewer's locale, always with the dollar sign", () => {
    expect(formatMoney(125_050)).toBe("$1,250.50");
    expect(formatMoney(125_050, "en-US")).toBe("$1,250.50");
    expect(formatMoney(125_050, "de-DE")).toBe("1.250,50\u00a0$");
    expect(formatMoney(-99, "en-GB")).toBe("-$0.99");
  });
});

describe("datetime-local values in a time zone", () => {
  const read = (local: string, zone: string) => zonedToUtc(local, zone).toISOString();

  it("read a wall time with that date's offset, summer or winter", () => {
    expect(read("2026-07-01T09:30", "America/New_York")).toBe("2026-07-01T13:30:00.000Z");
    expect(read("2026-12-01T09:30", "America/New_York")).toBe("2026-12-01T14:30:00.000Z");
    expect(read("2026-12-01T09:30", "Asia/Tokyo")).toBe("2026-12-01T00:30:00.000Z");
    expect(read("2026-12-01T09:30", "UTC")).toBe("2026-12-01T09:30:00.000Z");
  });

  it("read the hours around a clock change as a clock on the wall shows them", () => {
    // New York springs forward at 02:00 on 8 March 2026: 03:30 is already summer time.
    expect(read("2026-03-08T03:30", "America/New_York")).toBe("2026-03-08T07:30:00.000Z");
    expect(read("2026-03-08T01:30", "America/New_York")).toBe("2026-03-08T06:30:00.000Z");
    // 02:30 never shows on that day's clocks: read with winter time, it is 03:30 summer time.
    expect(read("2026-03-08T02:30", "America/New_York")).toBe("2026-03-08T07:30:00.000Z");
    expect(read("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
  });

  it("are invalid for text that is not a time", () => {
    expect(Number.isNaN(zonedToUtc("tomorrow", "UTC").getTime())).toBe(true);
    expect(Number.isNaN(zonedToUtc("", "Asia/Tokyo").getTime())).toBe(true);
  });

  it("show an instant back as the wall time it was typed as", () => {
    for (const local of ["2026-07-01T09:30", "2026-12-01T23:45", "2026-03-08T03:30"]) {
      for (const zone of ["America/New_York", "Asia/Tokyo", "Europe/Berlin", "UTC"]) {
        expect(utcToZonedInput(zonedToUtc(local, zone), zone)).toBe(local);
      }
    }
  });

  it("give a chart's clock times on the viewer's wall clock", () => {
    expect(clockTime("2026-11-21T08:02:11.123Z")).toBe("08:02:11");
    expect(clockTime("2026-11-21T08:02:11.123Z", "America/New_York")).toBe("03:02:11");
    expect(clockTime("2026-07-21T23:59:59Z", "Asia/Tokyo")).toBe("08:59:59");
  });

  it("become ISO instants for a search, and anything else stays for the schema to refuse", () => {
    expect(localInputToIso("2026-07-01T09:30", "Asia/Tokyo")).toBe("2026-07-01T00:30:00.000Z");
    expect(localInputToIso("2026-07-01T09:30:15", "UTC")).toBe("2026-07-01T09:30:15.000Z");
    expect(localInputToIso("2026-13-45T99:99", "UTC")).toBe("2026-13-45T99:99");
    expect(localInputToIso("last week", "UTC")).toBe("last week");
    expect(localInputToIso(undefined, "UTC")).toBeUndefined();
  });
});
