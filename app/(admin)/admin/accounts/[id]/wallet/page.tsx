import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { grantCoinsAction } from "@/app/(admin)/actions";
import { GrantForm } from "@/components/wallet/admin-wallet-forms";
import { StatementView } from "@/components/wallet/statement-view";
import { getDb } from "@/db/client";
import { getAccountDetail } from "@/lib/admin/manage-accounts";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { formatCoins, statementQueryOf } from "@/lib/wallet/model";
import { listStatement } from "@/lib/wallet/statement";
import { getBalances } from "@/lib/wallet/wallet";

export const metadata: Metadata = { title: "Player's wallet" };

type Search = Record<string, string | string[] | undefined>;

export default async function AccountWalletPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const { id } = await params;
  await requirePageRole(`/admin/accounts/${id}/wallet`, "admin");
  const db = getDb();
  const account = await getAccountDetail(db, id);
  if (account?.role !== "player") notFound();
  const search = await searchParams;
  const { filter, page } = statementQueryOf(search);
  const [balances, statement] = await Promise.all([
    getBalances(db, id),
    listStatement(db, id, filter, page),
  ]);
  return (
    <>
      <p className="small">
        <Link href={`/admin/accounts/${id}`}>← {account.email}</Link>
      </p>
      <h1>Wallet of {account.email}</h1>
      <p className="lead" data-testid="player-balances">
        {formatCoins(balances.GC)} GC · {formatCoins(balances.SC)} SC (
        {formatCoins(balances.redeemableSC)} redeemable)
      </p>
      <GrantForm action={grantCoinsAction} userId={id} />
      <h2>Statement</h2>
      <StatementView
        lines={statement.lines}
        nextCursor={statement.nextCursor}
        filter={filter}
        path={`/admin/accounts/${id}/wallet`}
        csvUrl={`/api/v1/admin/wallet/statements/${id}`}
      />
    </>
  );
}
