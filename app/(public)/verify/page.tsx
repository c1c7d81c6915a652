import type { Metadata } from "next";
import { ReceiptVerifier } from "@/components/ledger/receipt-verifier";
import { env } from "@/lib/config/env";

export const metadata: Metadata = { title: "Verify a receipt" };

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<{ redemption?: string }>;
}) {
  const { redemption } = await searchParams;
  const config = env();
  const rpc = config.LEDGER_PUBLIC_RPC_URL ?? config.LEDGER_RPC_URL ?? "http://127.0.0.1:8545";
  return (
    <>
      <h1>Verify a receipt</h1>
      <p className="lead">
        Your browser recomputes the ledger entry, checks its inclusion proof and reads the
        checkpoint straight from the ledger contract. It trusts only the chain node you name below,
        not Prizeledger.
      </p>
      <ReceiptVerifier defaultRpcUrl={rpc} redemptionId={redemption} />
    </>
  );
}
