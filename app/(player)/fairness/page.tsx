import type { Metadata } from "next";
import Link from "next/link";
import { rotateSeedAction, setClientSeedAction } from "@/app/(player)/actions";
import { ClientSeedForm, RotateSeedForm } from "@/components/play/seed-forms";
import { FairnessFacts, SeedTable } from "@/components/play/seed-table";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listSeeds } from "@/lib/fairness/seed-log";
import { getFairness } from "@/lib/fairness/seeds";

export const metadata: Metadata = { title: "Fairness" };

export default async function FairnessPage() {
  const user = await requirePageRole("/fairness", "player");
  const db = getDb();
  // The seeds first: the first look commits a new player's seeds.
  const fairness = await getFairness(db, user.id);
  const seeds = await listSeeds(db, user.id);
  return (
    <>
      <h1>Fairness</h1>
      <p className="lead">
        Each round's randomness is HMAC-SHA256 keyed by your secret server seed over your client
        seed, the nonce and a counter. The seed's SHA-256 is a leaf of the{" "}
        <Link href="/ledger">public log</Link> before its first round, so it cannot be swapped
        afterwards; rotate to reveal it and <Link href="/rounds">verify any round</Link> played with
        it.
      </p>
      <div className="grid two">
        <section className="card" aria-labelledby="current-title">
          <h2 id="current-title" style={{ marginTop: 0 }}>
            In force now
          </h2>
          <FairnessFacts fairness={fairness} />
        </section>
        <section className="card" aria-labelledby="change-title">
          <h2 id="change-title" style={{ marginTop: 0 }}>
            Change
          </h2>
          <ClientSeedForm clientSeed={fairness.clientSeed} action={setClientSeedAction} />
          <hr style={{ border: 0, borderTop: "1px solid var(--line)", margin: "16px 0" }} />
          <RotateSeedForm action={rotateSeedAction} />
        </section>
      </div>
      <h2>Your seeds</h2>
      <SeedTable seeds={seeds} />
    </>
  );
}
