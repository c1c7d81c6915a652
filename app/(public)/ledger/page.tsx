import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { listAnchoredCheckpoints } from "@/lib/anchoring/public-log";
import { shortHash } from "@/lib/format";

export const metadata: Metadata = { title: "Ledger" };

export default async function LedgerPage() {
  const checkpoints = await listAnchoredCheckpoints(getDb());
  return (
    <>
      <h1>Public ledger</h1>
      <p className="lead">
        Every redemption is a leaf of one append-only Merkle log (RFC 6962). Its checkpoints are
        written to the ledger contract, which accepts each only with a proof that it extends the
        previous one. Monitors can download every leaf from{" "}
        <code>/api/v1/ledger/leaves?start=0&amp;end=1000</code>.
      </p>
      {checkpoints.length === 0 ? (
        <p className="card muted">No checkpoint has been anchored yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Tree size</th>
              <th>Root hash</th>
              <th>Transaction</th>
              <th>Block</th>
              <th>Anchored (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {checkpoints.map((cp) => (
              <tr key={cp.treeSize} data-testid="checkpoint-row">
                <td>{cp.treeSize}</td>
                <td className="hash">{shortHash(cp.rootHash)}</td>
                <td className="hash">{shortHash(cp.txHash ?? "")}</td>
                <td>{cp.blockNumber}</td>
                <td>
                  {cp.blockTime
                    ? new Date(cp.blockTime * 1000).toISOString().replace("T", " ").slice(0, 19)
                    : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
