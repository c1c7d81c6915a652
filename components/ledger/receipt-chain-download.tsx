"use client";

import { useEffect, useState } from "react";
import { bundleReceipts } from "@/lib/ledger/model";
import {
  type Witnessing,
  type WitnessTally,
  witnessLabel,
  witnessTally,
} from "@/lib/ledger/witnessing";

/** How often the receipts are asked for while one is still pending anchoring. */
const POLL_MS = 2000;

type Read = { status?: string; signedCheckpoint?: string };

type Anchored = { receipts: [Read, Read]; tally?: WitnessTally };

/**
 * The lesser of the two receipts' witnessing: the pair is witnessed once both are. Undefined for
 * a claim from before the log signed its checkpoints: that receipt can never be witnessed.
 */
function pairTally([claim, delivery]: [Read, Read], witnessing: Witnessing) {
  if (claim.signedCheckpoint === undefined || delivery.signedCheckpoint === undefined) {
    return undefined;
  }
  const tallies = [claim, delivery].map((r) => witnessTally(r.signedCheckpoint, witnessing));
  return tallies.reduce((a, b) => (a.cosigned <= b.cosigned ? a : b));
}

/**
 * The claim's and the delivery's receipts, read until both are anchored and, where the operator
 * names witnesses, both witnessed; then kept: such a receipt changes no more
 * (lib/redemptions/redemptions.ts `getReceipt`). Undefined until both are anchored.
 */
function useAnchoredReceipts(
  redemptionId: string,
  witnessing: Witnessing | undefined,
): Anchored | undefined {
  const [anchored, setAnchored] = useState<Anchored>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const read = async () => {
      // A tab in the background asks nothing (each pending receipt is signed afresh).
      if (document.hidden) {
        timer = setTimeout(read, POLL_MS);
        return;
      }
      try {
        const [claim, delivery] = await Promise.all(
          (["redemption", "delivery"] as const).map(async (kind) => {
            const res = await fetch(`/api/v1/redemptions/${redemptionId}/receipt?kind=${kind}`, {
              cache: "no-store",
            });
            return res.ok ? ((await res.json()) as Read) : {};
          }),
        );
        if (stopped) return;
        if (claim?.status === "anchored" && delivery?.status === "anchored") {
          const receipts: [Read, Read] = [claim, delivery];
          const tally = witnessing && pairTally(receipts, witnessing);
          setAnchored({ receipts, tally });
          if (!tally || tally.witnessed) return;
        }
      } catch {
        // Offline for a moment: the next read tries again.
      }
      if (!stopped) timer = setTimeout(read, POLL_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [redemptionId, witnessing]);
  return anchored;
}

/**
 * Downloads a redemption's claim and delivery receipts as one file, and links to /verify, which
 * checks both. Offered only once both entries are anchored on chain, appearing then without a
 * reload: a provisional receipt proves only our promise to anchor, and a verifier rejects it once
 * that promise is past (docs/receipt.md), so a file kept for later must be the anchored one.
 * Until the operator's witnesses have cosigned both, it says so and keeps asking.
 */
export function ReceiptChainDownload({
  redemptionId,
  witnessing,
}: {
  redemptionId: string;
  witnessing?: Witnessing;
}) {
  const anchored = useAnchoredReceipts(redemptionId, witnessing);
  const receipts = anchored?.receipts;
  const tally = anchored?.tally;
  const waiting = tally !== undefined && !tally.witnessed;

  const download = ([claim, delivery]: [unknown, unknown]) => {
    const blob = new Blob([JSON.stringify(bundleReceipts(claim, delivery), null, 2)], {
      type: "application/json",
    });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = `receipts-${redemptionId}.json`;
    link.click();
    // Revoked at once, the URL could be gone before the browser has read it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div
      data-testid="receipt-chain-download"
      data-state={receipts ? (waiting ? "anchored-unwitnessed" : "anchored") : "pending"}
      aria-live="polite"
    >
      <p className="small muted">
        The claim and the delivery are both in the public ledger: together their receipts prove this
        prize was claimed, then delivered.
      </p>
      {receipts ? (
        <>
          {tally && (
            <p className="small" data-testid="receipts-witnesses" data-witnessed={tally.witnessed}>
              <span className={`badge ${tally.witnessed ? "anchored" : "pending"}`}>
                {witnessLabel(tally)}
              </span>
              {waiting &&
                " Not witnessed yet: these receipts already prove both entries are anchored on chain, but a verifier asks for the witnesses' cosignatures by default. Download them again once witnessed, usually within seconds."}
            </p>
          )}
          <p className="row">
            <button
              type="button"
              className="secondary"
              onClick={() => download(receipts)}
              data-testid="download-receipts"
            >
              {waiting
                ? "Download unwitnessed receipts (claim and delivery)"
                : "Download receipts (claim and delivery)"}
            </button>
            <a className="button secondary" href={`/verify?redemption=${redemptionId}`}>
              Verify both
            </a>
          </p>
        </>
      ) : (
        <p className="small" data-testid="receipts-pending">
          <span className="badge pending">pending anchoring</span> Both receipts can be downloaded
          here once their entries are anchored on chain, which takes a moment.
        </p>
      )}
    </div>
  );
}
