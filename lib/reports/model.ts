/** The regulator's report as the browser may see it: its query and its rows. */
import { z } from "zod";
import { optional } from "@/lib/validation/query-fields";

/** The longest range one report covers, so a query never scans years of journal. */
export const REGULATOR_REPORT_MAX_DAYS = 366;

const DAY_MS = 86_400_000;

const day = z
  .string()
  .trim()
  // PostgreSQL has no year 0 (JavaScript has): such a day would fail in the query, not here.
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, "A day is written YYYY-MM-DD")
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, "That day does not exist");

/** UTC days, both included; without them, the last 7 days up to today. */
export const regulatorReportFields = z.object({
  from: optional(day).meta({
    description: "first UTC day (YYYY-MM-DD); default: 6 days before to",
  }),
  to: optional(day).meta({ description: "last UTC day, included; default: today" }),
  format: optional(z.enum(["json", "csv"])).meta({ description: "csv: a download" }),
});

export const regulatorReportQuery = regulatorReportFields.transform((q, ctx) => {
  const today = new Date().toISOString().slice(0, 10);
  const to = q.to ?? today;
  const from =
    q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) {
    ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
    return z.NEVER;
  }
  if (days > REGULATOR_REPORT_MAX_DAYS) {
    ctx.addIssue({
      code: "custom",
      path: ["from"],
      message: `A report covers at most ${REGULATOR_REPORT_MAX_DAYS} days`,
    });
    return z.NEVER;
  }
  return { from, to, format: q.format ?? "json" };
});
export type RegulatorReportRange = { from: string; to: string };

/** One region's UTC day; amounts as "12.50" (GC and SC). */
export type RegulatorReportRow = {
  day: string;
  /** The player's declared region when the coins moved; null when none was declared. */
  region: string | null;
  gcSold: string;
  scGranted: string;
  scWagered: string;
  scWon: string;
  scRedeemed: string;
};

export type RegulatorReport = RegulatorReportRange & { rows: RegulatorReportRow[] };

export const REGULATOR_REPORT_COLUMNS = [
  "day",
  "region",
  "gc_sold",
  "sc_granted",
  "sc_wagered",
  "sc_won",
  "sc_redeemed",
] as const;
