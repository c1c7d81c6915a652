import type { Metadata } from "next";
import { z } from "zod";
import { CheckpointVerifier } from "@/components/ledger/checkpoint-verifier";
import { LedgerIdentityFacts } from "@/components/ledger/ledger-identity";
import { ReceiptVerifier } from "@/components/ledger/receipt-verifier";
import { env, publicRpcUrl } from "@/lib/config/env";
import { configuredIdentity } from "@/lib/ledger/configured-identity";

export const metadata: Metadata = { title: "Verify a receipt" };
export const dynamic = "force-dynamic";

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<{ redemption?: string | string[] }>;
}) {
  // Only a redemption id: the browser fetches its receipt by a path built from it.
  const asked = (await searchParams).redemption;
  const redemption =
    typeof asked === "string" && z.uuid().safeParse(asked).success ? asked : undefined;
  const identity = configuredIdentity(env());
  return (
    <>
      <h1>Verify a receipt</h1>
      <p className="lead">
        Your browser recomputes the ledger entry, checks its inclusion proof and reads the
        checkpoint straight from the ledger contract, over the trusted ledger's public chain node or
        one you name below. The contract it trusts is this site's published ledger, never the one a
        receipt names; to check another operator's receipt, name that operator.
      </p>
      <h2>This site's ledger</h2>
      <LedgerIdentityFacts identity={identity} />
      <ReceiptVerifier
        siteIdentity={identity}
        defaultRpcUrl={identity?.rpcUrl ?? publicRpcUrl()}
        redemptionId={redemption}
      />
      <h2>The log's latest checkpoint</h2>
      <CheckpointVerifier siteIdentity={identity} />
    </>
  );
}
