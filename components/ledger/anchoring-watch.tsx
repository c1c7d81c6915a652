"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { usePolled } from "@/components/ui/use-polled";

/**
 * "Not anchored yet", kept live: polls the entry's JSON and re-renders the page (no reload) once
 * a checkpoint covering it is on chain, so that its anchoring and inclusion proof appear.
 */
export function AnchoringWatch({ index }: { index: number }) {
  const router = useRouter();
  const anchored = usePolled(
    `/api/v1/ledger/entries/${index}`,
    false,
    (body) => (body as { anchor?: unknown } | null)?.anchor != null,
  );
  useEffect(() => {
    if (anchored) router.refresh();
  }, [anchored, router]);
  return (
    <p className="card" role="status" data-testid="entry-not-anchored">
      <span className="badge pending">not anchored yet</span>{" "}
      {anchored
        ? "Anchored: loading its checkpoint…"
        : "No checkpoint on chain covers this leaf yet; the anchoring job writes one within seconds. This page updates by itself."}
    </p>
  );
}
