import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RoundVerifier } from "@/components/play/round-verifier";
import { getDb } from "@/db/client";
import { ledgerLeafHref } from "@/lib/anchoring/public-log";
import { currentUser } from "@/lib/auth/current-user";
import { getRoundProof } from "@/lib/fairness/round-proof";

export const metadata: Metadata = { title: "Verify a round" };
export const dynamic = "force-dynamic";

export default async function VerifyRoundPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentUser();
  // Anyone may replay a round whose seed is revealed; before that, only its player sees it.
  const proof = await getRoundProof(getDb(), id, user?.id ?? null);
  if (!proof) notFound();
  const leafHref = (index: number | null) => (index === null ? null : ledgerLeafHref(index));
  return (
    <>
      <h1>Verify a round</h1>
      <p className="lead">
        Your browser recomputes this round from its server seed, client seed and nonce with the same
        code the server plays with (and <code>npm run rounds:verify</code> runs), and checks the
        seed's commitment and the round's record against the public log.
      </p>
      {proof.serverSeed === null && (
        <p className="alert info" data-testid="seed-not-revealed">
          The server seed of this round is still in play, so the round cannot be replayed yet: the
          seed must be rotated first. <Link href="/fairness">Rotate your seed</Link>, then come back
          to this page.
        </p>
      )}
      <RoundVerifier
        proof={proof}
        ledgerHrefs={{
          round: leafHref(proof.roundLeaf.index),
          commitment: leafHref(proof.seedLeaf.index),
        }}
      />
    </>
  );
}
