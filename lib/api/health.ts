import { z } from "zod";
import type { Resource } from "./wire";

const check = z.object({
  ok: z.boolean(),
  error: z.string().optional().meta({ description: "in fixed words; details go to the log" }),
});

export const healthResponse = z
  .object({ status: z.enum(["ok", "degraded"]), database: check, ledger: check })
  .meta({ id: "Health" });

export const health: Resource = {
  name: "Health",
  description: "For load balancers and monitors.",
  paths: {
    "/api/health": {
      get: {
        summary: "Liveness and readiness of the database and the ledger node",
        description: "503 while the database is down; a ledger node down only degrades.",
        access: "public",
        replies: {
          200: {
            description: "Up (ok, or degraded without the ledger node)",
            json: healthResponse,
          },
          503: { description: "The database is down", json: healthResponse },
        },
      },
    },
  },
};
