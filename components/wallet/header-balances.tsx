"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { WalletView } from "@/lib/wallet/model";

/** After the stream is closed for good (signed out elsewhere, server restart), try again. */
const REOPEN_MS = 10_000;

/**
 * The signed-in player's balances in the site header, kept live by the wallet stream: a round,
 * a purchase's webhook or a grant moves them on every open page without a reload.
 */
export function HeaderBalances({ initial }: { initial: WalletView }) {
  const [view, setView] = useState(initial);
  useEffect(() => {
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource("/api/v1/wallet/stream");
      source.addEventListener("balances", (event) => {
        setView(JSON.parse((event as MessageEvent<string>).data) as WalletView);
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
