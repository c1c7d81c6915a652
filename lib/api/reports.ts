import { z } from "zod";
import { regulatorReportFields } from "@/lib/reports/model";
import type { Resource } from "./wire";

const coins = z.string().meta({ examples: ["12.50"] });

export const regulatorReportResponse = z
  .object({
    from: z.string().meta({ examples: ["2026-12-01"] }),
    to: z.string().meta({ examples: ["2026-12-07"] }),
    rows: z.array(
      z.object({
        day: z.string().meta({ description: "UTC day", examples: ["2026-12-05"] }),
        region: z
          .string()
          .nullable()
          .meta({ description: "the player's declared region then; null: none declared" }),
        gcSold: coins.meta({ description: "GC credited by purchases" }),
        scGranted: coins.meta({ description: "free SC: purchase bonus, daily, mail-in, grants" }),
        scWagered: coins.meta({ description: "stakes of SC rounds" }),
        scWon: coins.meta({ description: "payouts of SC rounds" }),
        scRedeemed: coins.meta({
          description: "SC debited by catalog redemptions, less refunds of rejected ones",
        }),
      }),
    ),
  })
  .meta({ id: "RegulatorReport" });

export const reports: Resource = {
  name: "Admin: reports",
  description: "The per-region daily report for the regulator.",
  paths: {
    "/api/v1/admin/reports/regulator": {
      get: {
        summary: "Per region and UTC day: GC sold, SC granted, wagered, won and redeemed",
        description:
          "At most 366 days; each movement counts under the region the player had declared when it happened.",
        access: "staff",
        query: regulatorReportFields,
        replies: {
          200: {
            description: "The report, or with format=csv the same as a CSV download",
            json: regulatorReportResponse,
            text: "text/csv",
          },
        },
      },
    },
  },
};
