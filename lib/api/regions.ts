import { z } from "zod";
import { excludedRegionsSchema } from "@/lib/abuse/model";
import { dateTime, type Resource } from "./wire";

export const excludedRegionResponse = z
  .object({
    code: z.string().meta({ examples: ["KP"] }),
    name: z.string().meta({ examples: ["Korea (Democratic People's Republic)"] }),
    note: z.string().nullable(),
    createdAt: dateTime,
  })
  .meta({ id: "ExcludedRegion" });

export const excludedRegionsResponse = z.object({ regions: z.array(excludedRegionResponse) });

export const regions: Resource = {
  name: "Admin: regions",
  description: "Regions where no one may claim.",
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
          "Players whose declared region, or whose request's country by GeoIP, is excluded are refused every claim and lottery entry with not_eligible:region or not_eligible:location.",
        access: "admin",
        body: excludedRegionsSchema,
        replies: { 200: { description: "The new list", json: excludedRegionsResponse } },
      },
    },
  },
};
