import type { ReactNode } from "react";
import { DateTime } from "@/components/ui/date-time";

/**
 * How a provably fair draw stands, as rows of a `dl.facts`: the seed's SHA-256 (public from the
 * start), the seed itself once the draw is made, when it was made, and the algorithm. Test ids
 * start with `testId`: `-seed-hash`, `-seed`, `-seed-secret`, `-drawn-at`.
 */
export function DrawFacts({
  seedHash,
  seed,
  drawnAt,
  algorithm,
  secretUntil,
  notDrawn,
  testId,
}: {
  seedHash: string;
  seed: string | null;
  drawnAt: string | null;
  algorithm: string;
  /** When the seed is revealed, in words: "the draw". */
  secretUntil: string;
  /** What stands for the draw's time before it is made. */
  notDrawn: string;
  testId: string;
}) {
  const code = { className: "mono small", style: { wordBreak: "break-all" as const } };
  return (
    <>
      <dt>Commitment</dt>
      <dd>
        SHA-256 of the seed:{" "}
        <code {...code} data-testid={`${testId}-seed-hash`}>
          {seedHash}
        </code>
      </dd>
      <dt>Seed</dt>
      <dd>
        {seed ? (
          <code {...code} data-testid={`${testId}-seed`}>
            {seed}
          </code>
        ) : (
          <span className="muted" data-testid={`${testId}-seed-secret`}>
            secret until {secretUntil}
          </span>
        )}
      </dd>
      <dt>Drawn</dt>
      <dd data-testid={`${testId}-drawn-at`}>
        {drawnAt ? <DateTime value={drawnAt} /> : notDrawn}
      </dd>
      <dt>Algorithm</dt>
      <dd {...code}>{algorithm}</dd>
    </>
  );
}

/**
 * The card that tells anyone how to check a draw without the site: where its public record is,
 * and the command that replays it from a checkout. `children` say what the command checks.
 */
export function CheckItYourself({
  what,
  url,
  script,
  dropId,
  children,
}: {
  /** The public record, in words: "The transcript". */
  what: string;
  url: string;
  /** The npm script that replays it: "lottery:replay". */
  script: string;
  dropId: string;
  children: ReactNode;
}) {
  return (
    <div className="card">
      <h3>Check it yourself</h3>
      <p className="small">
        {what} is public at{" "}
        <a href={url} style={{ wordBreak: "break-all" }}>
          <code>{url}</code>
        </a>
        . From a checkout of Prizeledger, replay it with:
      </p>
      <pre className="small" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
        npm run {script} -- --url {"<this site>"} --drop {dropId}
      </pre>
      <p className="small" style={{ marginBottom: 0 }}>
        {children}
      </p>
    </div>
  );
}
