/** Shown at once while a page's data is on its way (the ledger from the database and the chain…). */
export function LoadingNotice({ what }: { what: string }) {
  return (
    <p className="loading-notice" role="status">
      Loading {what}…
    </p>
  );
}
