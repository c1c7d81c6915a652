import Link from "next/link";
import type { ProofPage } from "@/lib/queue/model";

/**
 * Earlier / later links over the order page's lists, which share one cursor: `?after=` entries
 * skipped (and `?limit=` kept when the reader chose one).
 */
export function QueuePager({
  dropId,
  page,
  limitChosen,
}: {
  dropId: string;
  page: ProofPage;
  limitChosen: boolean;
}) {
  const href = (after: number) =>
    `/drops/${dropId}/queue?after=${after}${limitChosen ? `&limit=${page.limit}` : ""}`;
  const longest = Math.max(page.entryCount, page.orderCount);
  const shownTo = Math.min(page.after + page.limit, longest);
  const link = (to: number | null, rel: "prev" | "next", label: string) =>
    to === null ? (
      <span className="muted" aria-disabled="true">
        {label}
      </span>
    ) : (
      <Link href={href(to)} rel={rel} data-testid={`queue-page-${rel}`}>
        {label}
      </Link>
    );
  return (
    <nav
      aria-label="Pages of the order and entries"
      data-testid="queue-pager"
      style={{ display: "flex", flexWrap: "wrap", gap: "8px 16px", margin: "12px 0" }}
    >
      {link(page.after > 0 ? Math.max(0, page.after - page.limit) : null, "prev", "← Earlier")}
      <span data-testid="queue-page-info">
        {shownTo > page.after + 1 ? `${page.after + 1}–${shownTo}` : shownTo} of{" "}
        {longest.toLocaleString("en")}
      </span>
      {link(page.next, "next", "Later →")}
    </nav>
  );
}
