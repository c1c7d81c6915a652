import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button";
import { type PayoutStatus, payoutStatusLabels } from "@/lib/payouts/model";
import type { PlayerPayout } from "@/lib/redemptions/model";

/** What happens next, in the player's words, at each point of the payment (docs/payouts.md). */
const nextStep: Record<PayoutStatus, string> = {
  awaiting_wallet:
    "Link a wallet on your account page: the payment goes out to it as soon as you do.",
  due: "Queued: it goes out in the next payment transaction. Nothing to do.",
  signed: "The payment transaction is signed and about to be sent to the chain.",
  sent: "Sent: waiting for the chain to confirm it. Nothing to do.",
  confirmed: "Paid: the tokens are in your wallet.",
  failed: "The payment failed. Our team has been told and will sort it out; you need do nothing.",
  cancelled: "Cancelled: this redemption ended before the payment went out, so nothing was paid.",
};

/**
 * A crypto prize's payment: how much of which token, to which wallet, how far it got, what comes
 * next, and its transaction once out, in full and copyable (the chain may be one no explorer
 * shows). Before the delivery has asked for the payment, the delivery's own note says what it
 * waits for (an approval, a step of the player's).
 */
export function TokenPayout({
  token,
  payout,
}: {
  token: { amount: string; symbol: string } | null;
  payout: PlayerPayout | null;
}) {
  return (
    <div data-testid="payout" data-status={payout?.status ?? "none"}>
      <dl className="facts">
        {token && (
          <>
            <dt>Amount</dt>
            <dd data-testid="payout-amount">
              {token.amount} {token.symbol}
            </dd>
          </>
        )}
        <dt>Wallet</dt>
        <dd>
          {payout?.address ? (
            <>
              <span className="hash" data-testid="payout-wallet">
                {payout.address}
              </span>
              <br />
              <CopyButton text={payout.address} what="the wallet address" />
            </>
          ) : payout?.status === "awaiting_wallet" ? (
            <span data-testid="payout-wallet-missing">
              None linked yet. <Link href="/account">Link a wallet</Link>
            </span>
          ) : payout === null ? (
            <span className="muted">The wallet linked to your account</span>
          ) : (
            <span className="muted">None</span>
          )}
        </dd>
        <dt>Payment</dt>
        <dd data-testid="payout-status">
          {payout ? payoutStatusLabels[payout.status] : "Not requested yet"}
        </dd>
        {payout?.txHash && (
          <>
            <dt>Transaction</dt>
            <dd>
              <span className="hash" data-testid="payout-tx">
                {payout.txHash}
              </span>
              <br />
              <CopyButton text={payout.txHash} what="the transaction hash" />
              {payout.chainId !== null && (
                <span className="muted small"> on chain {payout.chainId}</span>
              )}
            </dd>
          </>
        )}
      </dl>
      {payout && (
        <p
          className={`alert ${payout.status === "failed" ? "error" : payout.status === "confirmed" ? "success" : "info"}`}
          data-testid="payout-next"
          aria-live="polite"
        >
          {nextStep[payout.status]}
        </p>
      )}
    </div>
  );
}
