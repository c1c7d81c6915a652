"use client";

import { useEffect, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import { shortHash } from "@/lib/format";
import { type Witnessing, witnessLabel, witnessTally } from "@/lib/ledger/witnessing";

export type Receipt = {
  status: "pending" | "anchored";
  leaf: { index: number | null };
  checkpoint?: { treeSize: number; rootHash: string };
  anchor?: { txHash: string; blockNumber: number; blockTime: number; chainId: number };
  signedCheckpoint?: string;
};

/**
 * How far the operator's witnesses have cosigned an anchored receipt's checkpoint; undefined
 * where there is nothing to wait for: no witnesses named, or a receipt from before the log signed
 * its checkpoints (witnesses cosign only signed ones).
 */
function tallyOf(receipt: Receipt, witnessing: Witnessing | undefined) {
  if (!witnessing || receipt.status !== "anchored" || receipt.signedCheckpoint === undefined) {
    return undefined;
  }
  return witnessTally(receipt.signedCheckpoint, witnessing);
}

/** Whether a receipt changes no more: anchored, and witnessed where it can be. */
function isFinal(receipt: Receipt, witnessing: Witnessing | undefined): boolean {
  return receipt.status === "anchored" && (tallyOf(receipt, witnessing)?.witnessed ?? true);
}

/**
 * Every 3 s for the first minute (witnesses answer within seconds unless one is down or the
 * machine is loaded), then doubling up to a minute between polls.
 */
const FIRST_POLL_MS = 3000;
const STEADY_POLLS = 20;
const LONGEST_POLL_MS = 60_000;
/** Polling stops after this long: a witness that is down may stay down, and the page says so. */
const GIVE_UP_AFTER_MS = 10 * 60_000;

/** The wait before poll number `polls` (from 0): 3 s twenty times, then 6 s, 12 s… at most 60 s. */
function pollDelay(polls: number): number {
  const doublings = Math.max(0, polls - STEADY_POLLS + 1);
  return Math.min(FIRST_POLL_MS * 2 ** Math.min(doublings, 10), LONGEST_POLL_MS);
}

/**
 * Shows the receipt's anchoring state and polls until the entry is anchored on chain and, where
 * the operator names witnesses, until its checkpoint is witnessed: verifiers ask for the
 * operator's quorum by default, so a receipt taken before that fails their witnesses step.
 */
export function ReceiptStatus({
  redemptionId,
  initial,
  kind = "redemption",
  witnessing,
}: {
  redemptionId: string;
  initial: Receipt;
  /** A reversed redemption has a second entry in the log, with a receipt of its own. */
  kind?: "redemption" | "reversal";
  witnessing?: Witnessing;
}) {
  const url = `/api/v1/redemptions/${redemptionId}/receipt${kind === "reversal" ? "?kind=reversal" : ""}`;
  const [receipt, setReceipt] = useState<Receipt>(initial);
  const [error, setError] = useState<string | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    let polls = 0;
    let waited = 0;
    if (isFinal(initial, witnessing)) return;
    // Backs off, then stops: each poll costs the server a scan of later checkpoints.
    const again = () => {
      const delay = pollDelay(polls++);
      waited += delay;
      if (waited > GIVE_UP_AFTER_MS) {
        setGaveUp(true);
        return;
      }
      timer = setTimeout(load, delay);
    };
    const load = async () => {
      try {
        const res = await fetch(url, {
          cache: "no-store",
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = (await res.json()) as Receipt;
        if (cancelled) return;
        setReceipt(body);
        setError(null);
        // Anchoring takes a batch; cosigning usually a second, unless a witness is down.
        if (!isFinal(body, witnessing)) {
          if (body.status === "pending") timer = setTimeout(load, 1500);
          else again();
        }
      } catch (e) {
        if (cancelled) return;
        setError((e as Error).message);
        again();
      }
    };
    timer = setTimeout(load, 1000);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [url, initial, witnessing]);
  const tally = tallyOf(receipt, witnessing);

  return (
    <div data-testid="receipt" data-status={receipt.status}>
      {error && !gaveUp && (
        <p className="muted small">Could not refresh the receipt ({error}); retrying…</p>
      )}
      {gaveUp && (
        <p className="muted small" role="status" data-testid="receipt-gave-up">
          Stopped checking:{" "}
          {receipt.status === "pending"
            ? "the entry is not anchored yet"
            : "the witnesses have not cosigned yet"}
          {error ? `, and the receipt could not be refreshed (${error})` : ""}. Reload the page to
          check again.
        </p>
      )}
      {receipt.status === "pending" ? (
        <p>
          <span className="badge pending" data-testid="receipt-status">
            pending anchoring
          </span>{" "}
          <span className="muted small">
            The entry is recorded; its checkpoint is being written to the ledger contract. The
            receipt can be downloaded here once it is.
          </span>
        </p>
      ) : (
        <>
          <p>
            <span className="badge anchored" data-testid="receipt-status">
              anchored
            </span>{" "}
            {tally && (
              <span
                className={`badge ${tally.witnessed ? "anchored" : "pending"}`}
                role="status"
                data-testid="receipt-witnesses"
                data-witnessed={tally.witnessed}
              >
                {witnessLabel(tally)}
              </span>
            )}
          </p>
          <dl className="facts">
            <dt>Log index</dt>
            <dd>{receipt.leaf.index}</dd>
            <dt>Checkpoint</dt>
            <dd>
              size {receipt.checkpoint?.treeSize}, root{" "}
              <span className="hash">{shortHash(receipt.checkpoint?.rootHash ?? "")}</span>
            </dd>
            <dt>Transaction</dt>
            <dd>
              <span className="hash" data-testid="tx-hash">
                {receipt.anchor?.txHash}
              </span>{" "}
              {receipt.anchor && (
                <CopyButton text={receipt.anchor.txHash} what="the transaction hash" />
              )}
            </dd>
            <dt>Block</dt>
            <dd>
              {receipt.anchor?.blockNumber} on chain {receipt.anchor?.chainId} at{" "}
              {receipt.anchor && <DateTime value={new Date(receipt.anchor.blockTime * 1000)} />}
            </dd>
          </dl>
          <p className="row" style={{ marginTop: 16 }}>
            <a
              className="button secondary"
              href={url}
              download={`${kind === "reversal" ? "reversal-" : ""}receipt-${redemptionId}.json`}
              data-testid="download-receipt"
            >
              {tally && !tally.witnessed
                ? "Download unwitnessed receipt (JSON)"
                : "Download receipt (JSON)"}
            </a>
            {kind === "redemption" && (
              <a className="button secondary" href={`/verify?redemption=${redemptionId}`}>
                Verify it
              </a>
            )}
          </p>
          {tally && !tally.witnessed && (
            <p className="muted small" data-testid="receipt-unwitnessed">
              Not witnessed yet: this receipt already proves the entry is anchored on chain, but a
              verifier asks for {tally.quorum} witnesses by default. It is ready to download again
              once they have cosigned, usually within seconds.
            </p>
          )}
        </>
      )}
    </div>
  );
}
