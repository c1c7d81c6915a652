import { describe, expect, it } from "vitest";
import { dropFieldOf, readDropForm } from "./drop-form";
import { createDropSchema, updateDropSchema } from "./model";

function form(fields: Array<[string, string]>): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

const PRIZE = "5b0f0d5e-3c1a-4e59-9a53-2f6c1a4f8e10";

/** The full form as the admin's browser in New York sends it. */
const full = (changes: Record<string, string> = {}) =>
  form(
    Object.entries({
      title: "Spring drop",
      description: "",
      tz: "America/New_York",
      startsAt: "2030-04-01T10:00",
      endsAt: "2030-04-02T10:00",
      perPlayerLimit: "2",
      allocation: "lottery",
      minAccountAgeDays: "7",
      minTier: "silver",
      regions: "us, ca",
      verifiedEmail: "on",
      ...changes,
    }),
  );

describe("readDropForm", () => {
  it("reads times in the admin's zone, pool rows and the rules, as the schema parses them", () => {
    const data = full();
    data.append("poolPrizeId", PRIZE);
    data.append("poolUnits", "40");
    data.append("poolMinTier", "gold");
    data.append("poolPrizeId", PRIZE);
    data.append("poolUnits", "60");
    data.append("poolMinTier", "");
    const { input, values } = readDropForm(data);
    expect(input).toEqual({
      title: "Spring drop",
      description: "",
      perPlayerLimit: "2",
      allocation: "lottery",
      pools: [
        { prizeId: PRIZE, units: "40", minTier: "gold" },
        { prizeId: PRIZE, units: "60", minTier: "bronze" },
      ],
      startsAt: new Date("2030-04-01T14:00:00Z"),
      endsAt: new Date("2030-04-02T14:00:00Z"),
      eligibility: {
        verifiedEmail: true,
        minAccountAgeDays: "7",
        minTier: "silver",
        regions: ["us", "ca"],
      },
    });
    expect(values).toMatchObject({ title: "Spring drop", regions: "us, ca", verifiedEmail: "on" });
    expect(JSON.parse(values.pools ?? "[]")).toHaveLength(2);
    const parsed = createDropSchema.parse(input);
    expect(parsed.eligibility).toEqual({
      verifiedEmail: true,
      minAccountAgeDays: 7,
      minTier: "silver",
      regions: ["US", "CA"],
    });
    expect(parsed.pools?.map((p) => p.units)).toEqual([40, 60]);
  });

  it("reads only what a started drop's form carries: its new end", () => {
    const { input } = readDropForm(
      form([
        ["tz", "UTC"],
        ["endsAt", "2030-05-01T00:00"],
      ]),
    );
    expect(input).toEqual({ endsAt: new Date("2030-05-01T00:00:00Z") });
    expect(updateDropSchema.parse(input)).toEqual({ endsAt: new Date("2030-05-01T00:00:00Z") });
  });

  it("reads each time with its own date's offset, across a change to or from summer time", () => {
    const { input } = readDropForm(
      full({ tz: "Europe/Berlin", startsAt: "2030-03-30T10:00", endsAt: "2030-11-02T10:00" }),
    );
    expect(input.startsAt).toEqual(new Date("2030-03-30T09:00:00Z"));
    expect(input.endsAt).toEqual(new Date("2030-11-02T09:00:00Z"));
    const summer = readDropForm(full({ tz: "Europe/Berlin", startsAt: "2030-04-01T10:00" }));
    expect(summer.input.startsAt).toEqual(new Date("2030-04-01T08:00:00Z"));
  });

  it("reads times as UTC when the zone sent is none Intl knows", () => {
    for (const tz of ["", "Mars/Olympia", "America/New_York'--", "+02:00"]) {
      const { input } = readDropForm(full({ tz }));
      expect(input.startsAt, tz).toEqual(new Date("2030-04-01T10:00:00Z"));
    }
  });

  it("leaves bad input to the schema, whose messages land beside the form's inputs", () => {
    const data = full({ title: " ", startsAt: "soon", regions: "USA" });
    data.append("poolPrizeId", "");
    data.append("poolUnits", "many");
    data.append("poolMinTier", "bronze");
    const result = createDropSchema.safeParse(readDropForm(data).input);
    if (result.success) throw new Error("should not parse");
    const errors = Object.fromEntries(
      result.error.issues.map((issue) => [dropFieldOf(issue.path), issue.message]),
    );
    expect(errors).toMatchObject({
      title: "Title is required",
      startsAt: "Start must be a date and time",
      regions: "Regions are two-letter country codes",
      "pools.0.prizeId": "Choose a prize",
      "pools.0.units": "Units must be a number",
    });
  });
  it("reads the waiting room's fieldset: its checkbox, lead time, rate and lifetime", () => {
    const on = readDropForm(
      full({
        waitingRoom: "on",
        preQueueMinutes: "20",
        admissionRatePerMinute: "300",
        admissionTtlSeconds: "",
      }),
    );
    expect(on.input.waitingRoom).toEqual({
      enabled: true,
      preQueueMinutes: "20",
      admissionRatePerMinute: "300",
    });
    expect(on.values.waitingRoom).toBe("on");
    // Unticked, the checkbox is absent: the room is off, not left to the default.
    const off = readDropForm(full({ admissionRatePerMinute: "300" }));
    expect(off.input.waitingRoom).toEqual({ enabled: false, admissionRatePerMinute: "300" });
    // A form without the fieldset (a started drop's) says nothing of the room.
    expect(readDropForm(full()).input.waitingRoom).toBeUndefined();
    const bad = createDropSchema.safeParse(
      readDropForm(full({ admissionRatePerMinute: "0", preQueueMinutes: "soon" })).input,
    );
    if (bad.success) throw new Error("should not parse");
    const errors = Object.fromEntries(
      bad.error.issues.map((issue) => [dropFieldOf(issue.path), issue.message]),
    );
    expect(errors).toMatchObject({
      admissionRatePerMinute: "Admit at least one player a minute",
      preQueueMinutes: "The pre-queue lead time must be a number",
    });
  });
});

describe("dropFieldOf", () => {
  it("puts a waiting-room setting's refusal beside its input, and its on/off beside the box", () => {
    expect(dropFieldOf(["waitingRoom", "admissionRatePerMinute"])).toBe("admissionRatePerMinute");
    expect(dropFieldOf(["waitingRoom", "enabled"])).toBe("waitingRoom");
    expect(dropFieldOf(["waitingRoom"])).toBe("waitingRoom");
  });
});
