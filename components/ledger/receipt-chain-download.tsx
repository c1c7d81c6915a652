"use client";

import { useEffect, useState } from "react";
import { bundleReceipts } from "@/lib/ledger/model";

/** How often the receipts are asked for while one is still pending anchoring. */
const POLL_MS = 2000;

type Read = { status?: string };

/**
 * The claim's and the delivery's receipts, read until both are anchored, then kept: an anchored
 * receipt never changes (lib/redemptions/redemptions.ts `getReceipt`). Until then, undefined.
 */
function useAnchoredReceipts(redemptionId: string): [unknown, unknown] | undefined {
  const [receipts, setReceipts] = useState<[unknown, unknown]>();
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
          setReceipts([claim, delivery]);
          return;
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
  }, [redemptionId]);
  return receipts;
}

/**
 * Downloads a redemption's claim and delivery receipts as one file, and links to /verify, which
 * checks both. Offered only once both entries are anchored on chain, appearing then without a
 * reload: a provisional receipt proves only our promise to anchor, and a verifier rejects it once
 * that promise is past (docs/receipt.md), so a file kept for later must be the anchored one.
 */
export function ReceiptChainDownload({ redemptionId }: { redemptionId: string }) {
  const receipts = useAnchoredReceipts(redemptionId);

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
      data-state={receipts ? "anchored" : "pending"}
      aria-live="polite"
    >
      <p className="small muted">
        The claim and the delivery are both in the public ledger: together their receipts prove this
        prize was claimed, then delivered.
      </p>
      {receipts ? (
        <p className="row">
          <button
            type="button"
            className="secondary"
            onClick={() => download(receipts)}
            data-testid="download-receipts"
          >
            Download receipts (claim and delivery)
          </button>
          <a className="button secondary" href={`/verify?redemption=${redemptionId}`}>
            Verify both
          </a>
        </p>
      ) : (
        <p className="small" data-testid="receipts-pending">
          <span className="badge pending">pending anchoring</span> Both receipts can be downloaded
          here once their entries are anchored on chain, which takes a moment.
        </p>
      )}
    </div>
  );
}
