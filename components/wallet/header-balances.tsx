"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { WalletView } from "@/lib/wallet/model";

/** Announced on `window` when the balances move, for pages that show more of the wallet. */
export const WALLET_MOVED_EVENT = "prizeledger:wallet-moved";

/** After the stream is closed for good (signed out elsewhere, server restart), try again. */
const REOPEN_MS = 10_000;

/**
 * The signed-in player's balances in the site header, kept live by the wallet stream: a round,
 * a purchase's webhook or a grant moves them on every open page without a reload.
 */
export function HeaderBalances({ initial }: { initial: WalletView }) {
  const [view, setView] = useState(initial);
  // What the page was rendered with: the stream's first event repeats it, and moves nothing.
  const last = useRef(JSON.stringify(initial));
  useEffect(() => {
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource("/api/v1/wallet/stream");
      source.addEventListener("balances", (event) => {
        const data = (event as MessageEvent<string>).data;
        if (data === last.current) return;
        last.current = data;
        setView(JSON.parse(data) as WalletView);
        window.dispatchEvent(new Event(WALLET_MOVED_EVENT));
      });
      source.addEventListener("error", () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        source.close();
        reopen = setTimeout(open, REOPEN_MS);
      });
    };
    open();
    return () => {
      clearTimeout(reopen);
      source?.close();
    };
  }, []);
  return (
    <Link href="/wallet" className="balances" data-testid="header-balances" title="Your wallet">
      <span data-testid="header-gc">GC {view.balances.GC}</span>
      <span data-testid="header-sc">SC {view.balances.SC}</span>
    </Link>
  );
}
