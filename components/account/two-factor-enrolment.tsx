"use client";

import Link from "next/link";
import { useActionState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import type { FormAction, FormState } from "@/lib/actions/form-state";

/** Scan (or type) the secret, confirm with a first code, then keep the recovery codes. */
export function TwoFactorEnrolment({
  qrCode,
  secret,
  next,
  action: confirm,
}: {
  qrCode: string;
  secret: string;
  next: string;
  /** Answers the recovery codes once the first code is right. */
  action: FormAction<string[]>;
}) {
  const [state, action, pending] = useActionState<FormState<string[]>, FormData>(confirm, {});
  const recoveryCodes = state.data;
  if (recoveryCodes) {
    return (
      <div className="card" data-testid="recovery-codes">
        <p className="alert success" role="status" style={{ marginTop: 0 }}>
          Two-factor authentication is on.
        </p>
        <h3>Your recovery codes</h3>
        <p>
          Each code signs you in once if you lose your phone. Keep them somewhere safe: they are
          shown only this once.
        </p>
        <ul
          className="mono"
          style={{
            display: "grid",
            gridTemplateColumns: "repeat(2, max-content)",
            gap: "6px 32px",
          }}
        >
          {recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <div className="row" style={{ gap: 12 }}>
          <CopyButton text={recoveryCodes.join("\n")} label="Copy all codes" />
          <Link className="button" href={next}>
            I have saved them
          </Link>
        </div>
      </div>
    );
  }
  return (
    <div className="card">
      <h3>Set up your authenticator app</h3>
      <ol>
        <li>Scan this QR code with an authenticator app (any app that supports TOTP codes).</li>
        <li>Or type the secret into the app by hand.</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      {/* A data URL: the image is made on the server, no third party sees the secret. */}
      {/* biome-ignore lint/performance/noImgElement: a generated data URL, nothing to optimise */}
      <img src={qrCode} alt="QR code of the two-factor secret" width={200} height={200} />
      <p>
        Secret:{" "}
        <code className="hash" data-testid="totp-secret">
          {secret.match(/.{1,4}/g)?.join(" ")}
        </code>
      </p>
      {state.error && (
        <p className="alert error" role="alert">
          {state.error}
        </p>
      )}
      <form action={action} className="stack">
        <label>
          Code from the app
          <input
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={10}
            required
          />
        </label>
        <button type="submit" disabled={pending}>
          {pending ? "Checking…" : "Turn on two-factor"}
        </button>
      </form>
    </div>
  );
}
