import type { ChainLink, ChainResult, ChainStep } from "@/lib/ledger/receipt-chain";
import { VerifySteps } from "./verify-steps";

const OUTCOME_LABELS = {
  delivered: "Delivered",
  dead: "Delivery stopped",
  cancelled: "Delivery cancelled",
} as const;

type LinkName = "claim" | "delivery";

function linkState(link: ChainLink | undefined): "verified" | "failed" | "missing" | "checking" {
  if (!link) return "checking";
  if (!link.present) return "missing";
  return link.ok ? "verified" : "failed";
}

function linkWords(link: ChainLink | undefined, name: LinkName): string {
  const receipt = name === "claim" ? "Claim receipt" : "Delivery receipt";
  const state = linkState(link);
  if (state === "checking") return "Checking…";
  if (state === "missing") return `${receipt} missing`;
  if (state === "failed") return `${receipt} failed verification`;
  return link?.present && link.provisional
    ? `${receipt} verified: a signed promise, not anchored yet`
    : `${receipt} verified: in the log anchored on chain`;
}

const PROVEN = {
  delivered: "Verified: this redemption was claimed, then delivered",
  dead: "Verified: this redemption was claimed, then its delivery stopped",
  cancelled: "Verified: this redemption was claimed, then its delivery was cancelled",
} as const;

/** What the whole chain proves, in one sentence. */
function verdict(result: ChainResult): string {
  if (result.ok) return PROVEN[result.pairing.outcome ?? "delivered"];
  if (result.pairing.ok === false && result.pairing.code === "claim_missing") {
    return result.delivery.present && result.delivery.ok
      ? "Delivery receipt verified; claim receipt missing"
      : "Verification failed; claim receipt missing";
  }
  return "Verification failed";
}

/**
 * A chain of receipts as verified: claimed → delivered (or stopped, cancelled), each link with
 * its own verdict, whether the two belong together, and every check of each underneath.
 */
export function ReceiptChainResult({
  result,
  steps,
}: {
  /** Null while the receipts are being checked. */
  result: ChainResult | null;
  /** Each receipt's checks so far (as they complete), by link. */
  steps: Record<LinkName, ChainStep[]>;
}) {
  const outcome = result?.pairing.outcome ?? "delivered";
  const links: Array<{ name: LinkName; title: string; link: ChainLink | undefined }> = [
    { name: "claim", title: "Claimed", link: result?.claim },
    { name: "delivery", title: OUTCOME_LABELS[outcome], link: result?.delivery },
  ];
  return (
    <div data-testid="receipt-chain">
      {result && (
        <div
          className={`verdict ${result.ok ? "passed" : "failed"}`}
          data-testid="verdict"
          data-ok={result.ok}
        >
          {verdict(result)}
        </div>
      )}
      <ol className="steps" aria-label="Chain of receipts">
        {links.map(({ name, title, link }, i) => {
          const state = linkState(link);
          return (
            <li
              key={name}
              className={state === "verified" ? "passed" : state === "checking" ? "" : "failed"}
              data-testid={`chain-${name}`}
              data-state={state}
            >
              <span className="icon">
                {state === "verified" ? "✓" : state === "checking" ? "…" : "✗"}
              </span>
              <span>
                <strong>
                  {i + 1}. {title}
                </strong>
                {i > 0 && <span className="muted"> (after step 1)</span>}
                <br />
                <span className="small muted">{linkWords(link, name)}</span>
              </span>
            </li>
          );
        })}
      </ol>
      {result && (
        <p
          className={`alert ${result.pairing.ok ? "success" : "error"}`}
          data-testid="chain-pairing"
          data-ok={result.pairing.ok}
          data-code={result.pairing.ok ? undefined : result.pairing.code}
          style={{ overflowWrap: "anywhere" }}
        >
          {result.pairing.ok ? "Linked: " : "Not linked: "}
          {result.pairing.detail}
        </p>
      )}
      {(["claim", "delivery"] as const).map(
        (name) =>
          steps[name].length > 0 && (
            <section key={name}>
              <h3>{name === "claim" ? "Claim receipt checks" : "Delivery receipt checks"}</h3>
              <VerifySteps testIdPrefix={`${name}-`} steps={steps[name]} />
            </section>
          ),
      )}
    </div>
  );
}
