import type { Metadata } from "next";
import { redirect } from "next/navigation";
import QRCode from "qrcode";
import { TwoFactorDisableForm } from "@/components/account/two-factor-disable-form";
import { TwoFactorEnrolment } from "@/components/account/two-factor-enrolment";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser, needsTwoFactor } from "@/lib/auth/current-user";
import { twoFactorStatus } from "@/lib/auth/two-factor";
import { safeRedirectPath } from "@/lib/http/safe-redirect-path";
import { beginTwoFactorAction, confirmTwoFactorAction, disableTwoFactorAction } from "../actions";

export const metadata: Metadata = { title: "Two-factor authentication" };

export default async function SecurityPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account/security");
  const next = safeRedirectPath((await searchParams).next, "/account");
  const status = await twoFactorStatus(getDb(), user.id);
  const qrCode =
    status.pending && (await QRCode.toDataURL(status.pending.uri, { margin: 1, width: 200 }));
  return (
    <>
      <h1>Two-factor authentication</h1>
      <p className="lead">
        A code from an app on your phone, asked for at sign-in after your password.
      </p>
      {needsTwoFactor(user) && (
        <p className="alert info" role="status">
          Admins and auditors must turn on two-factor authentication before using their role.
        </p>
      )}
      {status.enabled ? (
        <section className="card">
          <p style={{ marginTop: 0 }}>
            <span className="badge anchored">on</span> since{" "}
            {status.enabledAt && <DateTime value={status.enabledAt} />}. {status.recoveryCodesLeft}{" "}
            of 10 recovery codes left.
          </p>
          {user.role === "player" ? (
            <TwoFactorDisableForm action={disableTwoFactorAction} />
          ) : (
            <p className="muted">Admins and auditors keep two-factor on.</p>
          )}
        </section>
      ) : status.pending && qrCode ? (
        <TwoFactorEnrolment
          qrCode={qrCode}
          secret={status.pending.secret}
          next={next}
          action={confirmTwoFactorAction}
        />
      ) : (
        <section className="card">
          <p style={{ marginTop: 0 }}>
            Two-factor is <strong>off</strong>. You need an authenticator app, such as the one built
            into your phone's password manager.
          </p>
          <form action={beginTwoFactorAction}>
            <button type="submit">Set up two-factor</button>
          </form>
        </section>
      )}
    </>
  );
}
