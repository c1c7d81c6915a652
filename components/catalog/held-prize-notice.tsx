import Link from "next/link";
import type { RedemptionReadiness } from "@/lib/catalog/model";

/**
 * Why a round's prize is held and what releases it: the steps still missing, each with where to
 * do it. The prize is released the moment the last one is done.
 */
export function HeldPrizeNotice({ readiness }: { readiness: RedemptionReadiness }) {
  return (
    <div className="alert info" data-testid="redemption-held">
      <p style={{ margin: 0 }}>
        You won this prize in a game round. It is held until you have declared your identity and
        verified your email address, as every prize redeemed for Sweeps Coins is; its code appears
        here as soon as both are done.
      </p>
      <ul style={{ margin: "8px 0 0" }}>
        {!readiness.identityDeclared && (
          <li>
            <Link href="/account/identity">Declare your identity</Link> (legal name, date of birth,
            postal address).
          </li>
        )}
        {!readiness.emailVerified && (
          <li>Verify your email: open the link we sent you (the banner above sends it again).</li>
        )}
      </ul>
    </div>
  );
}
