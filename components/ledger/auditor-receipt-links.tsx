import type { PublicEntry } from "@/lib/ledger/public-entry";

/** The receipt of each kind of redemption entry; an expiry has none, its claim's stands for it. */
const RECEIPT_KIND = {
  redemption: "redemption",
  reversal: "reversal",
  delivery: "delivery",
  expiry: "redemption",
} as const;

/**
 * For an auditor: the receipt its player holds for this entry, read-only from the receipt API,
 * to check with /verify or `npm run verify`. Rounds, seeds and draws have no redemption receipt.
 */
export function AuditorReceiptLinks({ fields }: { fields: NonNullable<PublicEntry["entry"]> }) {
  if (
    fields.kind === "round" ||
    fields.kind === "seed_commitment" ||
    fields.kind === "queue_draw"
  ) {
    return null;
  }
  const kind = RECEIPT_KIND[fields.kind];
  const href = `/api/v1/redemptions/${fields.entryId}/receipt?kind=${kind}`;
  return (
    <section aria-labelledby="auditor-receipt" data-testid="auditor-receipt">
      <h2 id="auditor-receipt">Receipt (auditors)</h2>
      <div className="card">
        <p className="row" style={{ margin: 0 }}>
          <a
            className="button secondary"
            href={href}
            download={`${kind === "redemption" ? "" : `${kind}-`}receipt-${fields.entryId}.json`}
            data-testid="auditor-download-receipt"
          >
            Download the {kind === "redemption" ? "claim" : kind} receipt (JSON)
          </a>
          <a
            className="button secondary"
            href={`/verify?redemption=${fields.entryId}`}
            data-testid="auditor-verify-receipt"
          >
            Verify its claim and delivery
          </a>
        </p>
        <p className="small muted" style={{ margin: "10px 0 0" }}>
          The player's own receipt, with the salt that opens the player commitment: it names the
          player, so only auditors are offered it.
        </p>
      </div>
    </section>
  );
}
