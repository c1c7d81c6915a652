import { CopyButton } from "@/components/ui/copy-button";
import { codeIsVoid, type RedemptionView } from "@/lib/redemptions/model";

/**
 * The redemption's code, to copy while it stands. Once a reversal voided it, it is struck
 * through and said to be void, yet kept legible: it is what the player quotes to us about it.
 * A card from our stock that had gone out before the reversal stays the player's (`lost`).
 */
export function RedemptionCode({
  redemption,
  code,
  fromProvider,
}: {
  redemption: Pick<RedemptionView, "reversal" | "delivery">;
  code: string;
  /** The provider issues the card: this code is only the claim's reference. */
  fromProvider: boolean;
}) {
  if (codeIsVoid(redemption)) {
    return (
      <>
        <p className="alert error" data-testid="redemption-code-void">
          Void: this redemption was reversed, so this code no longer gets you the prize. Quote it if
          you contact us.
        </p>
        <del className="code-box" data-testid="redemption-code" data-void="true">
          {code}
        </del>
      </>
    );
  }
  return (
    <>
      <p className="muted small">
        {redemption.reversal
          ? "This redemption was reversed after this card had gone out to you, so it was not withdrawn."
          : fromProvider
            ? "Quote it if you contact us. Your gift card itself arrives under Delivery."
            : "Only you can see this code. Keep it private."}
      </p>
      <p className="row">
        <span className="code-box" data-testid="redemption-code">
          {code}
        </span>
        <CopyButton text={code} what="the code" />
      </p>
    </>
  );
}
