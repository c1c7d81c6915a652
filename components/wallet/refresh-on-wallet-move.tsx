"use client";

import { RefreshOn } from "@/components/live/refresh-on";
import { WALLET_MOVED_EVENT } from "./header-balances";

/** Re-renders the page (no reload) when the header's live balances move: a webhook landed. */
export function RefreshOnWalletMove() {
  return <RefreshOn event={WALLET_MOVED_EVENT} />;
}
