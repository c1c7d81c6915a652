import { z } from "zod";
import { excludedRegionsSchema } from "@/lib/abuse/model";
import { dateTime, type Resource } from "./wire";

export const excludedRegionResponse = z
  .object({
    code: z.string().meta({ examples: ["KP"] }),
    name: z.string().meta({ examples: ["Korea (Democratic People's Republic)"] }),
    note: z.string().nullable(),
    sweepsOnly: z.boolean().meta({
      description: "Only Sweeps Coins play and redemption are refused; claims stay open",
    }),
    createdAt: dateTime,
  })
  .meta({ id: "ExcludedRegion" });

export const excludedRegionsResponse = z.object({ regions: z.array(excludedRegionResponse) });

export const regions: Resource = {
  name: "Admin: regions",
  description:
    "Regions where no one may claim, or (sweepsOnly) where only Sweeps Coins play and redemption are refused.",
  paths: {
    "/api/v1/admin/regions": {
      get: {
        summary: "Regions where no one may claim",
        access: "admin",
        replies: { 200: { description: "OK", json: excludedRegionsResponse } },
      },
      put: {
        summary: "Replace the excluded regions (audited with before/after)",
        description:
          "Players whose declared region, or whose request's country by GeoIP, is excluded are refused every claim and lottery entry with not_eligible:region or not_eligible:location. A region with sweepsOnly true refuses only Sweeps Coins play and redemption (not_eligible:region); every listed region refuses them.",
        access: "admin",
        body: excludedRegionsSchema,
        replies: { 200: { description: "The new list", json: excludedRegionsResponse } },
      },
    },
  },
};
