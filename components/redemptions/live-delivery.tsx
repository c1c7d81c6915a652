"use client";

import { useSyncExternalStore } from "react";
import { ReceiptChainDownload } from "@/components/ledger/receipt-chain-download";
import { TokenPayout } from "@/components/redemptions/token-payout";
import { CopyButton } from "@/components/ui/copy-button";
import { DateTime } from "@/components/ui/date-time";
import type { Witnessing } from "@/lib/ledger/witnessing";
import {
  type DeliveryStepLine,
  deliveryProviderLabels,
  describeDelivery,
} from "@/lib/redemptions/delivery-steps";
import type { PlayerDeliveries, RedemptionView } from "@/lib/redemptions/model";

type Delivery = NonNullable<RedemptionView["delivery"]>;

/** After the stream is closed for good (signed out elsewhere, server restart), try again. */
const REOPEN_MS = 10_000;

/**
 * One stream per page however many deliveries it shows: the latest of each, by redemption,
 * opened with the first component that shows one and closed with the last.
 */
const latest = new Map<string, Delivery>();
const listeners = new Set<() => void>();
let source: EventSource | undefined;
let reopen: ReturnType<typeof setTimeout> | undefined;

function open(): void {
  source = new EventSource("/api/v1/redemptions/stream");
  source.addEventListener("deliveries", (event) => {
    const { deliveries } = JSON.parse((event as MessageEvent<string>).data) as PlayerDeliveries;
    for (const { redemptionId, delivery } of deliveries) {
      if (delivery) latest.set(redemptionId, delivery);
    }
    for (const listener of listeners) listener();
  });
  source.addEventListener("error", () => {
    if (source?.readyState !== EventSource.CLOSED) return;
    source.close();
    reopen = setTimeout(open, REOPEN_MS);
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) open();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    clearTimeout(reopen);
    source?.close();
    source = undefined;
    // Kept, it could be older than what the next page is rendered with.
    latest.clear();
  };
}

type Props = { redemptionId: string; initial: Delivery };

/** The delivery as the stream last told it (else as the page was rendered with), in steps. */
function useLiveDelivery({ redemptionId, initial }: Props) {
  const delivery = useSyncExternalStore(
    subscribe,
    () => latest.get(redemptionId) ?? initial,
    () => initial,
  );
  return { delivery, line: describeDelivery(delivery) };
}

function badgeClass(tone: DeliveryStepLine["tone"]): string {
  return `badge ${tone === "ok" ? "anchored" : tone === "bad" ? "ended" : "pending"}`;
}

/** Only http(s) links are followed: a provider's answer is checked, and checked again here. */
function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The redemption page's delivery: its steps, the provider's reference, the card once there, and
 * a crypto prize's payment as it moves.
 */
export function DeliveryProgress({
  token = null,
  witnessing,
  ...props
}: Props & { token?: { amount: string; symbol: string } | null; witnessing?: Witnessing }) {
  const { delivery, line } = useLiveDelivery(props);
  const link = safeLink(delivery.reward?.link ?? null);
  // A payment says itself what comes next, and shows its transaction (delivery.txHash) in full.
  const paying = delivery.provider === "token";
  const payoutSays = paying && delivery.payout !== null;
  return (
    <div data-testid="delivery" data-status={delivery.status}>
      <p className="small">
        <span className={badgeClass(line.tone)} data-testid="delivery-status">
          {line.summary}
        </span>{" "}
        <span className="muted">
          {deliveryProviderLabels[delivery.provider]} · updated{" "}
          <DateTime value={delivery.updatedAt} />
        </span>
      </p>
      <ol className="steps delivery-steps" aria-label="Delivery steps">
        {line.steps.map((step) => (
          <li
            key={step.id}
            className={step.state === "done" ? "passed" : step.state === "failed" ? "failed" : ""}
            aria-current={step.state === "current" ? "step" : undefined}
            data-testid={`delivery-step-${step.id}`}
            data-state={step.state}
          >
            <span className="icon" aria-hidden>
              {step.state === "done"
                ? "✓"
                : step.state === "failed"
                  ? "✗"
                  : step.state === "current"
                    ? "…"
                    : "·"}
            </span>
            <span>
              {step.label}
              {step.detail && (
                <>
                  <br />
                  <span className="small muted" data-testid={`delivery-step-${step.id}-detail`}>
                    {step.detail}
                  </span>
                </>
              )}
            </span>
          </li>
        ))}
      </ol>
      {paying && <TokenPayout token={token} payout={delivery.payout} />}
      {line.note && !payoutSays && (
        <p
          className={`alert ${line.tone === "bad" ? "error" : "info"}`}
          data-testid="delivery-note"
        >
          {line.note}
        </p>
      )}
      {/* A parcel's tracking number is on its shipped step. */}
      {delivery.reference && delivery.provider !== "shipping" && (
        <p className="small">
          {/* A token payment's reference is its PrizePaid id on chain (docs/payouts.md). */}
          {paying ? "Payment id on chain" : "Reference"}{" "}
          <span className="hash" data-testid="delivery-reference">
            {delivery.reference}
          </span>
        </p>
      )}
      {delivery.reward && (
        <div data-testid="delivery-card">
          <h4>Your gift card</h4>
          <p className="row">
            <span className="code-box" data-testid="delivery-card-code">
              {delivery.reward.code}
            </span>
            <CopyButton text={delivery.reward.code} what="the gift card code" />
          </p>
          {delivery.reward.pin && (
            <p>
              PIN{" "}
              <span className="mono" data-testid="delivery-card-pin">
                {delivery.reward.pin}
              </span>{" "}
              <CopyButton text={delivery.reward.pin} what="the PIN" />
            </p>
          )}
          {link && (
            <p>
              <a
                href={link}
                target="_blank"
                rel="noopener noreferrer"
                data-testid="delivery-card-link"
              >
                Open the card
              </a>
            </p>
          )}
        </div>
      )}
      {/* A delivered or dead delivery is an entry of the log, beside the claim's. */}
      {(delivery.status === "delivered" || delivery.status === "dead") && (
        <ReceiptChainDownload redemptionId={props.redemptionId} witnessing={witnessing} />
      )}
    </div>
  );
}

/** The list's delivery column: where it stands, in a word or two. */
export function DeliveryBadge(props: Props) {
  const { delivery, line } = useLiveDelivery(props);
  return (
    <span
      className={badgeClass(line.tone)}
      data-testid="delivery-badge"
      data-status={delivery.status}
    >
      {line.summary}
    </span>
  );
}
