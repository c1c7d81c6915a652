import { describe, expect, it } from "vitest";
import { dropReportCsv, dropReportSectionCsv } from "./drop-report";
import { type DropReport, dropReportSections } from "./model";

const DROP_ID = "6f1c2a9e-3b4d-4c5e-8f70-112233445566";

/** A report whose text cells a spreadsheet would run, quote or split if they went out raw. */
const hostile: DropReport = {
  generatedAt: "2026-12-06T07:00:00.000Z",
  drop: {
    id: DROP_ID,
    title: '=HYPERLINK("http://evil.example","Open"), with "quotes"',
    units: 2,
    remaining: 0,
    startsAt: "2026-12-06T06:00:00.000Z",
    endsAt: "2026-12-06T08:00:00.000Z",
    endedEarlyAt: null,
    allocation: "first_come",
  },
  timeToSellOutSeconds: 12,
  claimCurve: {
    bucketSeconds: 1,
    points: [{ t: "2026-12-06T06:00:11.000Z", claims: 2, cumulative: 2 }],
  },
  uniquePlayers: 2,
  outcomes: {
    claimed: 2,
    sold_out: 1,
    not_eligible: 1,
    rate_limited: 0,
    limit_reached: 0,
    other: 0,
  },
  refusalsByReason: [
    { reason: "sold_out", label: "Sold out", count: 1 },
    { reason: "not_eligible:tier", label: "Not eligible: loyalty tier too low", count: 1 },
  ],
  flaggedAccounts: [
    {
      id: "7a000000-0000-4000-8000-000000000001",
      email: "+1@example.test",
      displayName: "@SUM(A1:A9)",
      flaggedAt: "2026-12-06T06:30:00.000Z",
      flaggedReason: "-2+3\r\nline two",
    },
  ],
  anchored: 2,
  redemptions: 2,
  anchoredShare: 1,
  deliveryStatus: { fulfilled: 2, awaiting_action: 0, expired: 0, reversed: 0 },
};

describe("the drop report's CSV files", () => {
  it("gives each section a file of its own: a header row, then CRLF-terminated records", () => {
    for (const section of dropReportSections) {
      const csv = dropReportSectionCsv(hostile, section);
      expect(csv.endsWith("\r\n"), section).toBe(true);
      expect(csv.startsWith("#"), section).toBe(false);
      expect(csv.split("\r\n")[0], section).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
    }
    expect(dropReportSectionCsv(hostile, "outcomes")).toBe(
      [
        "outcome,count,label",
        "claimed,2,Claimed",
        "sold_out,1,Sold out",
        "not_eligible,1,Not eligible",
        "rate_limited,0,Too many tries (rate limited)",
        "limit_reached,0,Per-player limit reached",
        "other,0,Other",
        "",
      ].join("\r\n"),
    );
  });

  it("defuses formulas and quotes as RFC 4180 asks", () => {
    const summary = dropReportSectionCsv(hostile, "summary");
    expect(summary).toContain(
      `title,"'=HYPERLINK(""http://evil.example"",""Open""), with ""quotes"""\r\n`,
    );
    expect(dropReportSectionCsv(hostile, "flagged_accounts")).toBe(
      [
        "user_id,email,display_name,flagged_at,flagged_reason",
        `7a000000-0000-4000-8000-000000000001,'+1@example.test,'@SUM(A1:A9),2026-12-06T06:30:00.000Z,"'-2+3\r\nline two"`,
        "",
      ].join("\r\n"),
    );
  });

  it("keeps the one-file export, each section after its title", () => {
    const all = dropReportCsv(hostile);
    expect(all.startsWith("# Summary\r\nfield,value\r\n")).toBe(true);
    expect(all).toContain(
      "\r\n\r\n# Claim curve (1-second buckets)\r\nbucket_start,claims,cumulative\r\n",
    );
    expect(all).toContain("# Delivery status\r\nstatus,count\r\nfulfilled,2\r\n");
  });
});
