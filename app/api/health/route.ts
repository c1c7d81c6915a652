import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { env } from "@/lib/config/env";
import { checkHealth } from "@/lib/http/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const { health, httpStatus } = await checkHealth(getDb, env().LEDGER_RPC_URL);
  return NextResponse.json(health, { status: httpStatus });
}
