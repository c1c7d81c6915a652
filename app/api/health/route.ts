import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { env } from "@/lib/config/env";
import { withRequestId } from "@/lib/http/api-handler";
import { checkHealth } from "@/lib/http/health";

export const dynamic = "force-dynamic";

export const GET = withRequestId(async () => {
  const { health, httpStatus } = await checkHealth(getDb, env().LEDGER_RPC_URL);
  return NextResponse.json(health, { status: httpStatus });
});
