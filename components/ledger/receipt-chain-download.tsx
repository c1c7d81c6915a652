"use client";

import { useState } from "react";
import { bundleReceipts } from "@/lib/ledger/model";

/**
 * Downloads a redemption's claim and delivery receipts as one file, fetched when asked so that
 * it holds their latest state (anchored once they are), and links to /verify, which checks both.
 */
export function ReceiptChainDownload({ redemptionId }: { redemptionId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const [claim, delivery] = await Promise.all(
        (["redemption", "delivery"] as const).map(async (kind) => {
          const res = await fetch(`/api/v1/redemptions/${redemptionId}/receipt?kind=${kind}`, {
            cache: "no-store",
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return (await res.json()) as unknown;
        }),
      );
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
    } catch (e) {
      setError(`Could not fetch the receipts (${(e as Error).message}); try again.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="receipt-chain-download">
      <p className="small muted">
        The claim and the delivery are both in the public ledger: together their receipts prove this
        prize was claimed, then delivered.
      </p>
      <p className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => void download()}
          disabled={busy}
          data-testid="download-receipts"
        >
          {busy ? "Fetching…" : "Download receipts (claim and delivery)"}
        </button>
        <a className="button secondary" href={`/verify?redemption=${redemptionId}`}>
          Verify both
        </a>
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
