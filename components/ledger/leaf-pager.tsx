import Link from "next/link";

/** Previous / next links for the leaves of /ledger (pages are 1-based, `?page=N`). */
export function LeafPager({
  page,
  pages,
  first,
  last,
  total,
}: {
  page: number;
  pages: number;
  first: number;
  last: number;
  total: number;
}) {
  const href = (n: number) => `/ledger?page=${n}#leaves`;
  return (
    <nav
      aria-label="Leaf pages"
      data-testid="leaf-pager"
      style={{ display: "flex", gap: 16, alignItems: "center", margin: "12px 0" }}
    >
      {page > 1 ? (
        <Link href={href(page - 1)} rel="prev" data-testid="leaf-prev">
          ← Previous
        </Link>
      ) : (
        <span className="muted" aria-disabled="true" data-testid="leaf-prev">
          ← Previous
        </span>
      )}
      <span data-testid="leaf-page-info">
        Page {page} of {pages} ·{" "}
        {total === 0 ? "no leaves yet" : `indexes ${first}–${last} of ${total} leaves`}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} rel="next" data-testid="leaf-next">
          Next →
        </Link>
      ) : (
        <span className="muted" aria-disabled="true" data-testid="leaf-next">
          Next →
        </span>
      )}
    </nav>
  );
}
