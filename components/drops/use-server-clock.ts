"use client";

import { useCallback, useEffect, useState } from "react";

/**
 * Offset of the server's (database's) clock from this browser's, measured from the API with the
 * round trip halved, so countdowns end when the server opens the drop, not when the browser thinks.
 * The clock function changes only when the offset does.
 */
export function useServerClock(initialServerTime: string): () => number {
  const [offset, setOffset] = useState(() => Date.parse(initialServerTime) - Date.now());
  useEffect(() => {
    let cancelled = false;
    const measure = async () => {
      const sent = Date.now();
      const res = await fetch("/api/v1/drops", { cache: "no-store" });
      const received = Date.now();
      const body = (await res.json()) as { serverTime: string };
      if (!cancelled) setOffset(Date.parse(body.serverTime) - (sent + received) / 2);
    };
    measure().catch(() => {});
    return () => {
      cancelled = true;
    };
  }, []);
  return useCallback(() => Date.now() + offset, [offset]);
}
