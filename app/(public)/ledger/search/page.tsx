import type { Metadata } from "next";
import Link from "next/link";
import { LedgerSearchForm, LedgerSearchResults } from "@/components/ledger/ledger-search";
import { getDb } from "@/db/client";
import { logSize } from "@/lib/anchoring/sequence-entries";
import { parseLedgerQuery } from "@/lib/ledger/ledger-query";
import { leafNames, searchLedger } from "@/lib/ledger/public-entry";

export const metadata: Metadata = { title: "Search the ledger" };
export const dynamic = "force-dynamic";

/** What `?q=` finds, its error in words, or the box alone when nothing was asked. */
export default async function LedgerSearchPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string | string[] }>;
}) {
  const { q: raw } = await searchParams;
  // A repeated ?q= (a hand-made URL) searches its first value.
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? "";
  const query = q ? parseLedgerQuery(q) : undefined;
  const error = query?.kind === "invalid" ? query.error : undefined;
  const db = getDb();
  let found: React.ReactNode = null;
  if (query && query.kind !== "invalid") {
    const [result, total] = await Promise.all([searchLedger(db, query), logSize(db)]);
    const txLeaves = "transaction" in result ? (result.transaction?.leaves ?? []) : [];
    const names = await leafNames(db, [...result.leaves, ...txLeaves]);
    found = <LedgerSearchResults query={q} result={result} names={names} total={total} />;
  }
  return (
    <>
      <p className="small">
        <Link href="/ledger">← Public ledger</Link>
      </p>
      <h1>Search the ledger</h1>
      <LedgerSearchForm query={q} error={error} />
      {found}
    </>
  );
}
