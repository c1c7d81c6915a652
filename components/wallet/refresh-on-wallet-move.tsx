"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { WALLET_MOVED_EVENT } from "./header-balances";

/** Re-renders the page (no reload) when the header's live balances move: a webhook landed. */
export function RefreshOnWalletMove() {
  const router = useRouter();
  useEffect(() => {
    const refresh = () => router.refresh();
    window.addEventListener(WALLET_MOVED_EVENT, refresh);
    return () => window.removeEventListener(WALLET_MOVED_EVENT, refresh);
  }, [router]);
  return null;
}
