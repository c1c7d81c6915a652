import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { listLeaves } from "@/lib/anchoring/public-log";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

const query = z
  .object({
    start: z.coerce.number().int().min(0).default(0),
    end: z.coerce.number().int().min(1).optional(),
  })
  .refine((q) => q.end === undefined || q.end > q.start, {
    path: ["end"],
    message: "must be greater than start",
  });

export const GET = apiRoute(async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { start, end } = query.parse(params);
  return NextResponse.json(await listLeaves(getDb(), start, end ?? start + 1000));
});
