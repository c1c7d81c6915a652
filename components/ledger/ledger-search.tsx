import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { ledgerListHref } from "@/lib/anchoring/public-log";
import { LEDGER_QUERY_HINT, MAX_LEDGER_QUERY_LENGTH } from "@/lib/ledger/ledger-query";
import type { LeafNames, LedgerSearchResult } from "@/lib/ledger/public-entry";
import { CopyableHash, LeafTable } from "./leaf-table";

/**
 * The ledger's search box: a plain GET form to /ledger/search, so that a search has a URL to
 * share and works without JavaScript (that page is rendered whole, never streamed behind a
 * loading state). One box takes an index, an id or a hash; the server tells them apart.
 */
export function LedgerSearchForm({ query = "", error }: { query?: string; error?: string }) {
  return (
    <search className="card" data-testid="ledger-search">
      <form method="get" action="/ledger/search">
        <label htmlFor="ledger-q">Find an entry</label>
        <div className="row" style={{ marginTop: 6 }}>
          <input
            id="ledger-q"
            name="q"
            defaultValue={query}
            maxLength={MAX_LEDGER_QUERY_LENGTH * 2}
            placeholder="Leaf index, redemption id, leaf or transaction hash"
            aria-describedby="ledger-q-hint"
            aria-invalid={error ? true : undefined}
            spellCheck={false}
            autoComplete="off"
            style={{ flex: "1 1 260px", minWidth: 0 }}
            data-testid="ledger-q"
          />
          <button type="submit">Search</button>
        </div>
        <p id="ledger-q-hint" className="small muted" style={{ margin: "6px 0 0" }}>
          {LEDGER_QUERY_HINT}
        </p>
        {error && (
          <p className="alert error" role="alert" data-testid="ledger-search-error">
            {error}
          </p>
        )}
      </form>
    </search>
  );
}

function NothingFound({ query, total }: { query: string; total: number }) {
  return (
    <p className="card muted" role="status" data-testid="ledger-nothing-found">
      Nothing found for <strong style={{ overflowWrap: "anywhere" }}>{query}</strong>. The log holds{" "}
      {total} {total === 1 ? "leaf" : "leaves"}
      {total > 0 && ` (indexes 0 to ${total - 1})`}; an entry claimed a moment ago appears once it
      is sequenced, within seconds.
    </p>
  );
}

/** What a search found: the matching leaves, and for a transaction hash the leaves it anchored. */
export function LedgerSearchResults({
  query,
  result,
  names,
  total,
}: {
  query: string;
  result: LedgerSearchResult;
  names: LeafNames;
  total: number;
}) {
  const tx = "transaction" in result ? result.transaction : undefined;
  const found = result.leaves.length > 0 || tx !== undefined;
  return (
    <section aria-labelledby="search-results" data-testid="ledger-search-results">
      <h2 id="search-results">Search results</h2>
      {!found && result.unsequenced === 0 && <NothingFound query={query} total={total} />}
      {result.unsequenced > 0 && (
        <p className="card" role="status" data-testid="ledger-unsequenced">
          {result.unsequenced === 1 ? "One entry" : `${result.unsequenced} entries`} of this id{" "}
          {result.unsequenced === 1 ? "is" : "are"} recorded but not in the log yet: the sequencer
          gives {result.unsequenced === 1 ? "it an index" : "them indexes"} within seconds. Search
          again in a moment.
        </p>
      )}
      {result.leaves.length > 0 && (
        <>
          {tx && <h3>The leaf with this hash</h3>}
          <LeafTable leaves={result.leaves} names={names} />
        </>
      )}
      {tx && (
        <div data-testid="ledger-transaction">
          <h3>The anchoring transaction with this hash</h3>
          <dl className="facts card">
            <dt>Transaction</dt>
            <dd>
              <CopyableHash hash={tx.anchor.txHash ?? ""} what="the transaction hash" />
            </dd>
            <dt>Checkpoint</dt>
            <dd>
              size {tx.anchor.treeSize}, root{" "}
              <CopyableHash hash={tx.anchor.rootHash} what="the checkpoint root" />
            </dd>
            <dt>Block</dt>
            <dd>
              {tx.anchor.blockNumber}
              {tx.anchor.blockTime !== null && (
                <>
                  , <DateTime value={new Date(tx.anchor.blockTime * 1000)} />
                </>
              )}
            </dd>
            <dt>Anchored</dt>
            <dd data-testid="ledger-transaction-range">
              {tx.to - tx.from === 1
                ? `leaf ${tx.from}`
                : `leaves ${tx.from} to ${tx.to - 1} (${tx.to - tx.from})`}
              , the first checkpoint to cover {tx.to - tx.from === 1 ? "it" : "them"}
            </dd>
          </dl>
          <LeafTable leaves={tx.leaves} names={names} />
          {tx.leaves.length < tx.to - tx.from && (
            <p className="small muted">
              The first {tx.leaves.length} are shown;{" "}
              <Link href={ledgerListHref(tx.from + tx.leaves.length)}>
                the rest are in the full list
              </Link>
              .
            </p>
          )}
        </div>
      )}
    </section>
  );
}
