import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { outcomeCounts } from "@/lib/analytics/claim-series";
import type { DashboardSnapshot, MissedDeadline } from "@/lib/analytics/model";
import { DashboardView } from "./dashboard-view";
import { missedDeadlineNote, missedDeadlineRows } from "./missed-deadlines";

const NOW = "2026-12-05T09:00:00.000Z";
const at = (iso: string) => Date.parse(iso) / 1000;
const REDEMPTION = "5b0c2a1e-8f7d-4c3b-9a2e-1d0f6e5c4b3a";
const REVERSED = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";

/** One still waiting (not sequenced yet), one anchored late; the order anchoringStatus gives. */
const LATE: MissedDeadline[] = [
  {
    kind: "reversal",
    redemptionId: REVERSED,
    leafIndex: null,
    anchorBy: at("2026-12-05T08:58:30Z"),
    anchoredAt: null,
  },
  {
    kind: "redemption",
    redemptionId: REDEMPTION,
    leafIndex: 1204,
    anchorBy: at("2026-12-05T08:40:00Z"),
    anchoredAt: at("2026-12-05T08:47:15Z"),
  },
];

function snapshot(missed: { count: number; entries: MissedDeadline[] }): DashboardSnapshot {
  const none = outcomeCounts([]);
  return {
    at: NOW,
    claimsPerSecond: { series: [], current: 0 },
    liveDrops: [],
    outcomeMix: { last5Minutes: none, today: none },
    latency: { p50: null, p95: null, p99: null, samples: 0, windowSeconds: 300 },
    deliveryTime: {
      last5Minutes: { p50: null, p99: null, samples: 0 },
      today: { p50: 1200, p99: 65_000, samples: 2 },
    },
    anchoring: { lagSeconds: 0, pendingEntries: 0, lastCheckpoint: null, missedDeadlines: missed },
    redemptionsByKind: [],
    byHourOfDay: Array(24).fill(0),
    byRegion: [],
    topPrizes: [],
  };
}

const render = (s: DashboardSnapshot, adminLinks: boolean) =>
  renderToStaticMarkup(createElement(DashboardView, { snapshot: s, adminLinks }));

describe("missed deadline rows", () => {
  it("say which entry, what was promised, and when it came or that it still waits", () => {
    expect(missedDeadlineRows(LATE, NOW, true)).toEqual([
      {
        key: `reversal-${REVERSED}`,
        entry: "unsequenced reversal",
        href: `/admin/redemptions/${REVERSED}`,
        promisedBy: "2026-12-05T08:58:30.000Z",
        anchoredAt: null,
        lateBy: "1m 30s",
      },
      {
        key: `redemption-${REDEMPTION}`,
        entry: "#1,204 redemption",
        href: `/admin/redemptions/${REDEMPTION}`,
        promisedBy: "2026-12-05T08:40:00.000Z",
        anchoredAt: "2026-12-05T08:47:15.000Z",
        lateBy: "7m 15s",
      },
    ]);
  });

  it("link redemptions only for admins", () => {
    expect(missedDeadlineRows(LATE, NOW, false).map((r) => r.href)).toEqual([null, null]);
  });
});

describe("missed deadline note", () => {
  it("is calm at zero and counts the waiting ones otherwise", () => {
    expect(missedDeadlineNote(0, [])).toBe("every receipt anchored on time");
    expect(missedDeadlineNote(2, LATE)).toBe("1 still waiting");
    expect(missedDeadlineNote(1, LATE.slice(1))).toBe("all anchored since, late");
  });

  it("does not undercount waiting entries beyond the listed ones", () => {
    expect(missedDeadlineNote(80, LATE.slice(0, 1))).toBe("at least 1 still waiting");
  });
});

describe("the dashboard's missed deadlines", () => {
  it("show the count as a problem and list the late entries", () => {
    const html = render(snapshot({ count: 2, entries: LATE }), true);
    expect(html).toMatch(/data-testid="missed-deadlines-count"[^>]*>2</);
    expect(html).toContain('data-testid="missed-deadlines-panel"');
    expect(html.match(/data-testid="missed-deadline"/g)).toHaveLength(2);
    expect(html.match(/data-waiting="true"/g)).toHaveLength(1);
    expect(html).toContain(`href="/admin/redemptions/${REDEMPTION}"`);
    expect(html).toContain("still waiting, 1m 30s past");
    expect(html).toMatch(/anchored <time [^>]*>5 Dec 2026, 08:47:15 UTC<\/time>/);
  });

  it("say how many of the count the list shows when it is cut", () => {
    const html = render(snapshot({ count: 75, entries: LATE }), false);
    expect(html).toContain("newest 2 of 75");
    expect(html).not.toContain("/admin/redemptions/");
  });

  it("are calm at zero, without a list", () => {
    const html = render(snapshot({ count: 0, entries: [] }), true);
    expect(html).toMatch(/data-testid="missed-deadlines-count"[^>]*>0</);
    expect(html).toContain("every receipt anchored on time");
    expect(html).not.toContain('data-testid="missed-deadlines-panel"');
  });
});
