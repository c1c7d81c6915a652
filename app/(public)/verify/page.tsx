import type { Metadata } from "next";
import { ReceiptVerifier } from "@/components/ledger/receipt-verifier";
import { publicRpcUrl } from "@/lib/config/env";

export const metadata: Metadata = { title: "Verify a receipt" };

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<{ redemption?: string }>;
}) {
  const { redemption } = await searchParams;
  return (
    <>
      <h1>Verify a receipt</h1>
      <p className="lead">
        Your browser recomputes the ledger entry, checks its inclusion proof and reads the
        checkpoint straight from the ledger contract. It trusts only the chain node you name below,
        not Prizeledger.
      </p>
      <ReceiptVerifier defaultRpcUrl={publicRpcUrl()} redemptionId={redemption} />
    </>
  );
}
