import Link from "next/link";
import { DateTime, Money } from "@/components/ui/date-time";
import type { DeliveryOutcome, leafProviders } from "@/lib/ledger/leaf";
import { ledgerKindLabels } from "@/lib/ledger/model";
import type { PublicEntry } from "@/lib/ledger/public-entry";
import { CopyableHash } from "./leaf-table";

type Fields = NonNullable<PublicEntry["entry"]>;

const OUTCOMES: Record<DeliveryOutcome, string> = {
  delivered: "Delivered",
  dead: "Failed for good: every attempt was spent",
  cancelled: "Cancelled",
};
const PROVIDERS: Record<(typeof leafProviders)[number], string> = {
  pool: "a code from the prize's pool",
  giftcard: "the gift-card provider",
  token: "a token transfer on chain",
  shipping: "a shipment",
};

/** What the entry's id is the id of, by kind. */
function subjectOf(entry: Fields): string {
  if (entry.kind === "round") return "Round";
  if (entry.kind === "seed_commitment") return "Server seed";
  if (entry.kind === "queue_draw") return "Drop";
  return "Redemption";
}

/** The fields only some kinds have, in words. */
function KindFields({ entry }: { entry: Fields }) {
  if (entry.kind === "round") {
    return (
      <>
        <dt>Payout</dt>
        <dd>
          <Money cents={entry.payoutMinor} />
        </dd>
        <dt>Round record digest</dt>
        <dd>
          <CopyableHash hash={entry.roundDigest} what="the round record digest" />
        </dd>
      </>
    );
  }
  if (entry.kind === "seed_commitment") {
    return (
      <>
        <dt>Server seed hash</dt>
        <dd>
          <CopyableHash hash={entry.serverSeedHash} what="the server seed hash" />
        </dd>
        <dt>First nonce</dt>
        <dd>{entry.firstNonce}</dd>
      </>
    );
  }
  if (entry.kind === "queue_draw") {
    return (
      <>
        <dt>Pre-queue places</dt>
        <dd>{entry.count}</dd>
        <dt>Pre-queue digest</dt>
        <dd>
          <CopyableHash hash={entry.preQueueDigest} what="the pre-queue digest" />
        </dd>
        <dt>Draw digest</dt>
        <dd>
          <CopyableHash hash={entry.drawDigest} what="the draw digest" />
        </dd>
      </>
    );
  }
  if (entry.kind === "delivery") {
    return (
      <>
        <dt>Outcome</dt>
        <dd>
          {OUTCOMES[entry.outcome]}, by {PROVIDERS[entry.provider]}
        </dd>
        <dt>Reference hash</dt>
        <dd>
          <CopyableHash hash={entry.referenceHash} what="the reference hash" />
        </dd>
      </>
    );
  }
  return (
    <>
      <dt>Value</dt>
      <dd>
        <Money cents={entry.valueCents} />
      </dd>
    </>
  );
}

/** A leaf's decoded fields in words: names for its prize and drop, its player only as committed. */
export function LedgerEntryFacts({ entry }: { entry: PublicEntry }) {
  const fields = entry.entry;
  if (!fields) {
    return (
      <p className="card alert error" data-testid="entry-undecodable">
        These bytes are not a valid version 1 leaf: the log holds them, but they cannot be read as
        an entry.
      </p>
    );
  }
  return (
    <dl className="facts card" data-testid="entry-facts">
      <dt>Kind</dt>
      <dd data-testid="entry-kind">{ledgerKindLabels[fields.kind]}</dd>
      <dt>{subjectOf(fields)}</dt>
      <dd className="hash">
        {fields.kind === "round" ? (
          <Link href={`/rounds/${fields.entryId}/verify`}>{fields.entryId}</Link>
        ) : fields.kind === "queue_draw" ? (
          <Link href={`/drops/${fields.entryId}/queue`}>{fields.entryId}</Link>
        ) : (
          fields.entryId
        )}
      </dd>
      {"prizeId" in fields && (
        <>
          <dt>Drop</dt>
          <dd data-testid="entry-drop">
            {entry.drop
              ? (entry.drop.title ?? `unknown drop ${entry.drop.id}`)
              : "none (from the catalog or a game round)"}
          </dd>
          <dt>Prize</dt>
          <dd data-testid="entry-prize">
            {entry.prize?.name ?? `unknown prize ${fields.prizeId}`}
          </dd>
        </>
      )}
      <KindFields entry={fields} />
      <dt>Time</dt>
      <dd data-testid="entry-time">
        <DateTime value={fields.time} />
      </dd>
      {fields.kind !== "queue_draw" && (
        <>
          <dt>Player</dt>
          <dd>
            <CopyableHash hash={fields.playerCommitment} what="the player commitment" />
            <span className="small muted">
              {" "}
              A commitment only: the player's receipt holds the salt that opens it.
            </span>
          </dd>
        </>
      )}
    </dl>
  );
}
