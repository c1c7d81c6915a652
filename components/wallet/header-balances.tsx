"use client";

import Link from "next/link";
import { useEventStream } from "@/components/live/use-event-stream";
import type { WalletView } from "@/lib/wallet/model";

/** Announced on `window` when the balances move, for pages that show more of the wallet. */
export const WALLET_MOVED_EVENT = "prizeledger:wallet-moved";

/**
 * The signed-in player's balances in the site header, kept live by the wallet stream: a round,
 * a purchase's webhook or a grant moves them on every open page without a reload.
 */
export function HeaderBalances({ initial }: { initial: WalletView }) {
  const view = useEventStream("/api/v1/wallet/stream", "balances", initial, WALLET_MOVED_EVENT);
  return (
    <Link href="/wallet" className="balances" data-testid="header-balances" title="Your wallet">
      <span data-testid="header-gc">GC {view.balances.GC}</span>
      <span data-testid="header-sc">SC {view.balances.SC}</span>
    </Link>
  );
}
