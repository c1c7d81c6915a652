import { LedgerSearchForm } from "@/components/ledger/ledger-search";

/**
 * The heading and the search box, outside the list's loading state: streamed content needs
 * JavaScript to appear, and the search must work without it.
 */
export default function LedgerListLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <h1>Public ledger</h1>
      <p className="lead">
        Every redemption is a leaf of one append-only Merkle log (RFC 6962). Its checkpoints are
        written to the ledger contract, which accepts each only with a proof that it extends the
        previous one. Monitors can download every leaf from{" "}
        <code>/api/v1/ledger/leaves?start=0&amp;end=1000</code>, and each entry, decoded with its
        proof, from <code>/api/v1/ledger/entries/{"{index}"}</code>.
      </p>
      <LedgerSearchForm />
      {children}
    </>
  );
}
