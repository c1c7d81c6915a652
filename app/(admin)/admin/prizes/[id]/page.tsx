import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CodeImportForm } from "@/components/admin/code-import-form";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { codePoolStats } from "@/lib/codes/import-codes";
import { formatMoney } from "@/lib/format";
import { getPrize, prizeKindLabels } from "@/lib/prizes/prizes";
import { importCodesAction } from "./actions";

export const metadata: Metadata = { title: "Prize" };

export default async function PrizePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageRole(`/admin/prizes/${id}`, "admin");
  const db = getDb();
  const prize = await getPrize(db, id);
  if (!prize) notFound();
  const pool = prize.kind === "gift_card" ? await codePoolStats(db, prize.id) : undefined;
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>{prize.name}</h1>
      <div className="grid two">
        <div className="card">
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{prizeKindLabels[prize.kind]}</dd>
            <dt>Value</dt>
            <dd>{formatMoney(prize.valueCents)}</dd>
            <dt>Quantity</dt>
            <dd>{prize.quantity}</dd>
            {pool && (
              <>
                <dt>Codes in pool</dt>
                <dd data-testid="code-pool-total">{pool.total}</dd>
                <dt>Codes unused</dt>
                <dd data-testid="code-pool-unused">{pool.unused}</dd>
              </>
            )}
          </dl>
        </div>
        {pool && (
          <div className="card">
            <h2 style={{ marginTop: 0 }}>Import gift codes</h2>
            <CodeImportForm action={importCodesAction.bind(null, prize.id)} />
          </div>
        )}
      </div>
    </>
  );
}
