import { LoadingNotice } from "@/components/ui/loading-notice";

// A loading state streams the page, so its status is sent as 200 before the page has run: only
// for pages that never answer 403, 404 or a redirect (those check access before any Suspense).
export default function LedgerLoading() {
  return <LoadingNotice what="the public ledger" />;
}
