import "server-only";
import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { statementResponse } from "@/lib/api/wallet";
import { exportFormatQuery } from "@/lib/api/wire";
import { formatCoins, statementFilterSchema, statementPageSchema } from "./model";
import { listStatement, statementCsvStream } from "./statement";

/** A player's statement as the API answers it: a JSON page, or with `format=csv` all of it. */
export async function statementAnswer(request: Request, userId: string): Promise<Response> {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const { format } = exportFormatQuery.parse({ format: query.format || undefined });
  const filter = statementFilterSchema.parse(query);
  const db = getDb();
  if (format === "csv") {
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(statementCsvStream(db, userId, filter), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="statement-${stamp}.csv"`,
        "cache-control": "no-store",
      },
    });
  }
  const page = await listStatement(db, userId, filter, statementPageSchema.parse(query));
  return respond(
    statementResponse,
    {
      lines: page.lines.map((l) => ({
        ...l,
        amount: formatCoins(l.amount),
        balanceAfter: formatCoins(l.balanceAfter),
      })),
      nextCursor: page.nextCursor,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
