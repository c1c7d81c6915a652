import Link from "next/link";
import { getDb } from "@/db/client";
import type { FormAction } from "@/lib/actions/form-state";
import { isEmailVerified } from "@/lib/auth/email-verification";
import type { PublicUser } from "@/lib/auth/model";
import { mailboxAccess } from "@/lib/mail/mail-capture";
import { ResendVerificationButton } from "./resend-verification-button";

/** Reminds a signed-in player who has not confirmed their address yet (claims need it). */
export async function VerifyEmailBanner({
  user,
  resendAction,
}: {
  user: PublicUser;
  resendAction: FormAction;
}) {
  if (user.role !== "player" || (await isEmailVerified(getDb(), user.id))) return null;
  return (
    <div className="notice-bar" data-testid="verify-email-banner">
      <div className="inner">
        <p>
          <strong>Your email is not verified.</strong> Open the link we sent to {user.email} to
          confirm it: you need a confirmed address to claim prizes.
          {mailboxAccess() === "public" && (
            <>
              {" "}
              <Link href={`/dev/mailbox?to=${encodeURIComponent(user.email)}`}>
                Open the development mailbox
              </Link>
            </>
          )}
        </p>
        <ResendVerificationButton action={resendAction} />
      </div>
    </div>
  );
}
