"use client";

import { useEffect, useState } from "react";
import { fromHex, rootFromInclusion, toHex } from "@/lib/ledger/merkle";

/**
 * Recomputes, in this browser, the root that a leaf's audit path leads to (RFC 9162 §2.1.3.2) and
 * compares it with the checkpoint's: the server's word is not needed for this step. Whether the
 * checkpoint itself is on chain is for /verify or `npm run audit`, which ask the contract.
 */
export function InclusionCheck({
  index,
  leafHash,
  treeSize,
  rootHash,
  auditPath,
}: {
  index: number;
  leafHash: string;
  treeSize: number;
  rootHash: string;
  auditPath: string[];
}) {
  const [computed, setComputed] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const root = rootFromInclusion(fromHex(leafHash), index, treeSize, auditPath.map(fromHex));
    setComputed(root ? toHex(root) : null);
  }, [index, leafHash, treeSize, auditPath]);

  const ok = computed != null && computed.toLowerCase() === rootHash.toLowerCase();
  return (
    <div
      aria-live="polite"
      data-testid="inclusion-check"
      data-ok={computed === undefined ? undefined : ok}
    >
      {computed === undefined ? (
        <p className="muted small">Checking the path in this browser…</p>
      ) : ok ? (
        <p className="verdict passed" style={{ fontSize: 16 }}>
          ✓ Checked in this browser: the path leads from leaf {index} to the root of size {treeSize}
          .
        </p>
      ) : (
        <p className="verdict failed" style={{ fontSize: 16 }}>
          ✗ Checked in this browser: the path does NOT lead to this root
          {computed ? ` (it leads to ${computed})` : " (it has the wrong length)"}.
        </p>
      )}
      <noscript>
        <p className="small muted">
          This page checks the path with JavaScript. Without it, run the check of RFC 9162 §2.1.3.2
          from the leaf hash, the index, the tree size and this path (each step is SHA-256 of 0x01 ‖
          left ‖ right); it must end at the root. <code>npm run audit</code> checks every leaf of
          the log this way.
        </p>
      </noscript>
    </div>
  );
}
