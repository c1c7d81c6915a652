import Link from "next/link";
import type { ReactNode } from "react";
import type { RedemptionReadiness as Readiness } from "@/lib/catalog/model";
import { formatCoins } from "@/lib/wallet/model";

function Step({ done, testId, children }: { done: boolean; testId: string; children: ReactNode }) {
  return (
    <li className={done ? "passed" : "failed"} data-testid={testId} data-done={done}>
      <span className="icon" aria-hidden="true">
        {done ? "✓" : "✗"}
      </span>
      <span>{children}</span>
    </li>
  );
}

/** The player's own standing with each rule a redemption checks, and what to do about the rest. */
export function RedemptionReadiness({
  readiness,
  minimumSc,
}: {
  readiness: Readiness;
  minimumSc: number;
}) {
  const { identityDeclared, emailVerified, sc, redeemableSc, playthroughDue } = readiness;
  return (
    <section
      className="card"
      style={{ marginBottom: 16 }}
      aria-labelledby="readiness-title"
      data-testid="redemption-readiness"
    >
      <h2 id="readiness-title" style={{ marginTop: 0 }}>
        Before you redeem
      </h2>
      <ol className="steps">
        <Step done={identityDeclared} testId="readiness-identity">
          {identityDeclared ? (
            <>
              Identity declared. <Link href="/account/identity">Review it</Link>
            </>
          ) : (
            <>
              <strong>Identity not declared.</strong>{" "}
              <Link href="/account/identity">Declare your identity</Link>: legal name, date of birth
              and postal address.
            </>
          )}
        </Step>
        <Step done={emailVerified} testId="readiness-email">
          {emailVerified ? (
            "Email address verified."
          ) : (
            <>
              <strong>Email not verified.</strong> Open the link we sent you; the banner at the top
              of the page sends it again.
            </>
          )}
        </Step>
        <Step done={redeemableSc >= minimumSc} testId="redeemable-balance">
          Your Sweeps Coins: <strong>{formatCoins(sc)}</strong>, of which{" "}
          <strong>{formatCoins(redeemableSc)}</strong> redeemable.{" "}
          {playthroughDue > 0 ? (
            <span data-testid="readiness-playthrough">
              {formatCoins(playthroughDue)} SC still to play through once before they are
              redeemable.
            </span>
          ) : (
            "Nothing left to play through."
          )}
        </Step>
      </ol>
    </section>
  );
}
