import type { Metadata } from "next";
import Link from "next/link";
import { LeafPager } from "@/components/ledger/leaf-pager";
import { CopyableHash, LeafTable } from "@/components/ledger/leaf-table";
import { LedgerIdentityFacts } from "@/components/ledger/ledger-identity";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { LEAVES_PER_PAGE, listAnchoredCheckpoints, listLeaves } from "@/lib/anchoring/public-log";
import { logSize } from "@/lib/anchoring/sequence-entries";
import { env } from "@/lib/config/env";
import { configuredIdentity } from "@/lib/ledger/configured-identity";
import { ledgerSearchHref } from "@/lib/ledger/ledger-query";
import { leafNames } from "@/lib/ledger/public-entry";

export const metadata: Metadata = { title: "Ledger" };
export const dynamic = "force-dynamic";

function utc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

export default async function LedgerPage({
  searchParams,
}: {
  searchParams: Promise<{ page?: string | string[] }>;
}) {
  const db = getDb();
  const { page: pageParam } = await searchParams;
  const [checkpoints, total] = await Promise.all([listAnchoredCheckpoints(db), logSize(db)]);
  const pages = Math.max(1, Math.ceil(total / LEAVES_PER_PAGE));
  const requested = Number.parseInt(String(pageParam ?? "1"), 10);
  const page = Number.isSafeInteger(requested) ? Math.min(Math.max(requested, 1), pages) : 1;
  const start = (page - 1) * LEAVES_PER_PAGE;
  const { leaves, end } = await listLeaves(db, start, start + LEAVES_PER_PAGE);
  const names = await leafNames(db, leaves);
  const anchoredSize = checkpoints[0]?.treeSize ?? 0;
  const identity = configuredIdentity(env());

  return (
    <>
      <h2>Ledger identity</h2>
      <LedgerIdentityFacts identity={identity} />

      <h2>Checkpoints</h2>
      {checkpoints.length === 0 ? (
        <p className="card muted">No checkpoint has been anchored yet.</p>
      ) : (
        <TableScroll label="Checkpoints">
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
                  <td>
                    <CopyableHash hash={cp.rootHash} what={`the root of size ${cp.treeSize}`} />
                  </td>
                  <td>
                    {cp.txHash && (
                      <span className="copyable-hash">
                        <CopyableHash
                          hash={cp.txHash}
                          what={`the transaction of size ${cp.treeSize}`}
                        />
                        <Link
                          href={ledgerSearchHref(cp.txHash)}
                          aria-label={`Leaves anchored by the transaction of size ${cp.treeSize}`}
                        >
                          leaves
                        </Link>
                      </span>
                    )}
                  </td>
                  <td>{cp.blockNumber}</td>
                  <td>{cp.blockTime ? utc(cp.blockTime) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2 id="leaves">All leaves</h2>
      <p className="muted">
        {total} {total === 1 ? "leaf" : "leaves"}; the latest anchored checkpoint covers the first{" "}
        {Math.min(anchoredSize, total)}. Each row is decoded from the leaf's canonical 98 bytes; the
        leaf hash is SHA-256(0x00 ‖ data). Open an index for the entry's fields, its inclusion proof
        and its anchoring.
      </p>
      <LeafPager
        page={page}
        pages={pages}
        first={start}
        last={Math.max(start, end - 1)}
        total={total}
      />
      {leaves.length === 0 ? (
        <p className="card muted">No leaf has been sequenced yet.</p>
      ) : (
        <LeafTable leaves={leaves} names={names} />
      )}

      <h2>Audit it yourself</h2>
      <p style={{ overflowWrap: "anywhere" }} data-testid="audit-howto">
        Anyone can monitor this log:{" "}
        <code>
          npm run audit -- --url {"<this site>"} --contract{" "}
          {identity?.contract ?? "<ledger contract>"} --chain-id {identity?.chainId ?? "<chain id>"}
        </code>{" "}
        downloads every leaf, rebuilds every root, checks each checkpoint published here and each
        one on chain (and that they extend each other), and reports any entry older than the
        anchoring deadline (<code>--deadline</code>, 60 s by default) that is not yet anchored. It
        checks the contract you name (or <code>--operator {"<this site>"}</code>, the identity
        above), never one this site's <a href="/api/docs#ledger">log API</a> names, and exits 0 only
        when every check passes.
      </p>
    </>
  );
}
