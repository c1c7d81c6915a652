import type { Metadata } from "next";
import Link from "next/link";
import { ClaimAttemptsTable } from "@/components/audit/claim-attempts-table";
import { getDb } from "@/db/client";
import { listClaimAttempts } from "@/lib/audit/claim-attempts";
import { attemptsPageSchema } from "@/lib/audit/model";
import { requirePageRole } from "@/lib/auth/require-page-role";

export const metadata: Metadata = { title: "My claim attempts" };

export default async function ClaimAttemptsPage({
  searchParams,
}: {
  searchParams: Promise<{ cursor?: string | string[] }>;
}) {
  const player = await requirePageRole("/account/claims", "player");
  const { cursor } = await searchParams;
  const page = attemptsPageSchema.safeParse({ cursor: Array.isArray(cursor) ? cursor[0] : cursor });
  const { attempts, nextCursor } = await listClaimAttempts(
    getDb(),
    player.id,
    page.success ? page.data : {},
  );
  return (
    <>
      <h1>My claim attempts</h1>
      <p className="lead">
        Every claim and draw entry you made, newest first: what happened, and why when it did not go
        through.
      </p>
      <ClaimAttemptsTable attempts={attempts} linkRedemptions />
      <p className="row small">
        {page.success && page.data.cursor !== undefined && (
          <Link href="/account/claims">← Newest</Link>
        )}
        <span className="spacer" />
        {nextCursor !== null && <Link href={`/account/claims?cursor=${nextCursor}`}>Older →</Link>}
      </p>
      <p className="small">
        <Link href="/redemptions">My redemptions</Link>
      </p>
    </>
  );
}
