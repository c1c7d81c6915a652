"use client";
import { ErrorNotice, type RouteError } from "@/components/ui/error-notice";

/** Any page that fails below the root layout: the site's header stays, the page says what failed. */
export default function PageError({ error, retry }: { error: RouteError; retry: () => void }) {
  return <ErrorNotice error={error} retry={retry} />;
}
