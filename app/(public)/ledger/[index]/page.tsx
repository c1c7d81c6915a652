import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AnchoringWatch } from "@/components/ledger/anchoring-watch";
import { AuditorReceiptLinks } from "@/components/ledger/auditor-receipt-links";
import { InclusionCheck } from "@/components/ledger/inclusion-check";
import { CopyableHash } from "@/components/ledger/leaf-table";
import { LedgerEntryFacts } from "@/components/ledger/ledger-entry-facts";
import { CopyButton } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { ledgerListHref } from "@/lib/anchoring/public-log";
import { currentUser, roleRefusal } from "@/lib/auth/current-user";
import { ledgerSearchHref } from "@/lib/ledger/ledger-query";
import { getPublicEntry, type PublicEntry } from "@/lib/ledger/public-entry";

export const dynamic = "force-dynamic";

export async function generateMetadata({
  params,
}: {
  params: Promise<{ index: string }>;
}): Promise<Metadata> {
  return { title: `Ledger leaf ${(await params).index}` };
}

function Anchoring({ anchor }: { anchor: NonNullable<PublicEntry["anchor"]> }) {
  return (
    <dl className="facts card" data-testid="entry-anchor">
      <dt>Status</dt>
      <dd>
        <span className="badge anchored">anchored</span>
      </dd>
      <dt>Checkpoint</dt>
      <dd>
        size {anchor.treeSize}, root{" "}
        <CopyableHash hash={anchor.rootHash} what="the anchoring checkpoint's root" />
      </dd>
      <dt>Transaction</dt>
      <dd>
        {anchor.txHash && (
          <>
            <CopyableHash hash={anchor.txHash} what="the anchoring transaction hash" />{" "}
            <Link href={ledgerSearchHref(anchor.txHash)}>every leaf it anchored</Link>
          </>
        )}
      </dd>
      <dt>Block</dt>
      <dd data-testid="entry-anchor-block">
        {anchor.blockNumber} on chain {anchor.chainId}
        {anchor.blockTime !== null && (
          <>
            , <DateTime value={new Date(anchor.blockTime * 1000)} />
          </>
        )}
      </dd>
      <dt>Contract</dt>
      <dd className="hash">{anchor.contract}</dd>
    </dl>
  );
}

function InclusionProof({ entry }: { entry: PublicEntry }) {
  const inclusion = entry.inclusion;
  if (!inclusion) {
    return <p className="card muted">No anchored checkpoint covers this leaf yet.</p>;
  }
  return (
    <div className="card" data-testid="entry-inclusion">
      <dl className="facts">
        <dt>Checkpoint</dt>
        <dd>
          the latest anchored: size {inclusion.treeSize}, root{" "}
          <CopyableHash hash={inclusion.rootHash} what="the latest checkpoint's root" />
        </dd>
        <dt>Audit path</dt>
        <dd>
          {inclusion.auditPath.length === 0
            ? "empty: the leaf is the whole tree"
            : `${inclusion.auditPath.length} ${inclusion.auditPath.length === 1 ? "hash" : "hashes"}, from the leaf up`}
          {inclusion.auditPath.length > 0 && (
            <ol className="hash" data-testid="entry-audit-path" style={{ paddingLeft: 24 }}>
              {inclusion.auditPath.map((hash, i) => (
                // A path may repeat a hash; its place in the path is what tells them apart.
                // biome-ignore lint/suspicious/noArrayIndexKey: the order is the path
                <li key={i}>{hash}</li>
              ))}
            </ol>
          )}
        </dd>
      </dl>
      <InclusionCheck
        index={entry.index}
        leafHash={entry.leafHash}
        treeSize={inclusion.treeSize}
        rootHash={inclusion.rootHash}
        auditPath={inclusion.auditPath}
      />
      <p className="small muted" style={{ marginBottom: 0 }}>
        That this root is the one on chain is checked by the contract, not by this page:{" "}
        <Link href="/verify">/verify</Link> does it for a receipt, and <code>npm run audit</code>{" "}
        for every checkpoint.
      </p>
    </div>
  );
}

export default async function LedgerEntryPage({ params }: { params: Promise<{ index: string }> }) {
  const { index: raw } = await params;
  if (!/^\d{1,15}$/.test(raw)) notFound();
  const db = getDb();
  const [entry, user] = await Promise.all([getPublicEntry(db, Number(raw)), currentUser()]);
  if (!entry) notFound();
  // Receipts name the player: only an auditor (with two-factor on) is offered them here.
  const auditor = user !== undefined && roleRefusal(user, "auditor") === undefined;
  return (
    <>
      <p className="small">
        <Link href={ledgerListHref(entry.index)}>← Public ledger</Link>
        {entry.index > 0 && (
          <>
            {" · "}
            <Link href={`/ledger/${entry.index - 1}`} rel="prev">
              Leaf {entry.index - 1}
            </Link>
          </>
        )}
        {" · "}
        <Link href={`/ledger/${entry.index + 1}`} rel="next">
          Leaf {entry.index + 1}
        </Link>
      </p>
      <h1>Leaf {entry.index}</h1>

      <h2>The entry</h2>
      <LedgerEntryFacts entry={entry} />

      <h2>Its bytes</h2>
      <dl className="facts card">
        <dt>Leaf hash</dt>
        <dd data-testid="entry-leaf-hash">
          <CopyableHash hash={entry.leafHash} what="the leaf hash" />
        </dd>
        <dt>Data</dt>
        <dd>
          <span className="hash" data-testid="entry-data">
            {entry.data}
          </span>{" "}
          <span className="copyable-hash">
            <CopyButton text={entry.data} what="the leaf data" />
          </span>
        </dd>
      </dl>

      <h2>Anchoring</h2>
      {entry.anchor ? <Anchoring anchor={entry.anchor} /> : <AnchoringWatch index={entry.index} />}

      <h2>Inclusion proof</h2>
      <InclusionProof entry={entry} />

      {auditor && entry.entry && <AuditorReceiptLinks fields={entry.entry} />}

      <p className="small muted">
        The same as JSON:{" "}
        <a href={`/api/v1/ledger/entries/${entry.index}`}>/api/v1/ledger/entries/{entry.index}</a>
      </p>
    </>
  );
}
