import { sql } from "drizzle-orm";
import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { env } from "@/lib/config/env";

export const dynamic = "force-dynamic";

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message.slice(0, 200) };
  }
}

export async function GET() {
  const database = await check(() => getDb().execute(sql`select 1`));
  const rpc = env().LEDGER_RPC_URL;
  const ledger = rpc
    ? await check(async () => {
        const res = await fetch(rpc, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
          signal: AbortSignal.timeout(2000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      })
    : { ok: false, error: "LEDGER_RPC_URL is not set" };
  const ok = database.ok && ledger.ok;
  return NextResponse.json(
    { status: ok ? "ok" : "degraded", database, ledger },
    { status: database.ok ? 200 : 503 },
  );
}
