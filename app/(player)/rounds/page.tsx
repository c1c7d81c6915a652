import type { Metadata } from "next";
import Link from "next/link";
import { RoundHistory } from "@/components/play/round-history";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { decodeCursor, listRounds } from "@/lib/rounds/round-views";

export const metadata: Metadata = { title: "Your rounds" };

const ROUNDS_PER_PAGE = 25;

export default async function RoundsPage({
  searchParams,
}: {
  searchParams: Promise<{ cursor?: string | string[] }>;
}) {
  const user = await requirePageRole("/rounds", "player");
  const { cursor } = await searchParams;
  // A cursor that does not decode starts from the newest round rather than failing.
  const before = typeof cursor === "string" ? decodeCursor(cursor) : undefined;
  const page = await listRounds(getDb(), user.id, { limit: ROUNDS_PER_PAGE, before });
  return (
    <>
      <h1>Your rounds</h1>
      <p className="lead">
        Newest first. Each round can be replayed in your browser once its seed is revealed:{" "}
        <Link href="/fairness">rotate your seed</Link> to reveal it.
      </p>
      <RoundHistory
        rounds={page.rounds}
        olderHref={page.nextCursor ? `/rounds?cursor=${page.nextCursor}` : null}
        newestHref={before ? "/rounds" : null}
      />
    </>
  );
}
