"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page (no reload) when `event` is announced on `window` (a live stream moved). */
export function RefreshOn({ event }: { event: string }) {
  const router = useRouter();
  useEffect(() => {
    const refresh = () => router.refresh();
    window.addEventListener(event, refresh);
    return () => window.removeEventListener(event, refresh);
  }, [router, event]);
  return null;
}
