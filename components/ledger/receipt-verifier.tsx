"use client";

import { JsonRpcProvider } from "ethers";
import { useEffect, useState } from "react";
import { verifyProvisionalReceipt } from "@/lib/ledger/provisional";
import { type VerifyStep, verifyReceipt } from "@/lib/ledger/receipt";

type Step = Pick<VerifyStep, "label" | "ok" | "detail"> & { id: string };
type Outcome = { ok: boolean; provisional: boolean } | null;

/**
 * Checks a receipt entirely in this browser: the only party it asks is the chain node, over
 * JSON-RPC. Prizeledger's own servers are not consulted.
 */
export function ReceiptVerifier({
  defaultRpcUrl,
  redemptionId,
}: {
  defaultRpcUrl: string;
  redemptionId?: string;
}) {
  const [text, setText] = useState("");
  const [rpcUrl, setRpcUrl] = useState(defaultRpcUrl);
  const [steps, setSteps] = useState<Step[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [running, setRunning] = useState(false);
  const [inputError, setInputError] = useState<string | null>(null);

  useEffect(() => {
    if (!redemptionId) return;
    fetch(`/api/v1/redemptions/${redemptionId}/receipt`, { cache: "no-store" })
      .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`))))
      .then((body) => setText(JSON.stringify(JSON.parse(body), null, 2)))
      .catch((e: Error) => setInputError(`Could not load your receipt: ${e.message}`));
  }, [redemptionId]);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 256_000) {
      setInputError("That file is too large to be a receipt");
      return;
    }
    setText(await file.text());
    setInputError(null);
  };

  const verify = async () => {
    setSteps([]);
    setOutcome(null);
    setInputError(null);
    let receipt: unknown;
    try {
      receipt = JSON.parse(text);
    } catch {
      setInputError("The receipt is not valid JSON");
      return;
    }
    let url: URL;
    try {
      url = new URL(rpcUrl);
    } catch {
      setInputError("The chain RPC URL is not a valid URL");
      return;
    }
    setRunning(true);
    const provider = new JsonRpcProvider(url.toString(), undefined, { staticNetwork: true });
    try {
      // A provisional receipt carries the operator's signed promise instead of a proof.
      const provisional = (receipt as { status?: unknown } | null)?.status === "pending";
      if (provisional) {
        const result = await verifyProvisionalReceipt(receipt, provider);
        setSteps(result.steps);
        setOutcome({ ok: result.ok, provisional });
      } else {
        const result = await verifyReceipt(receipt, provider, (step) =>
          setSteps((previous) => [...previous, step]),
        );
        setOutcome({ ok: result.ok, provisional });
      }
    } finally {
      provider.destroy();
      setRunning(false);
    }
  };

  return (
    <div className="grid" style={{ gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)" }}>
      <section>
        <label>
          Receipt (JSON)
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder='{"version": 1, "status": "anchored", …}'
            spellCheck={false}
            data-testid="receipt-input"
          />
        </label>
        <div className="row" style={{ marginTop: 10 }}>
          <label className="button secondary" style={{ display: "inline-block" }}>
            Upload a file
            <input
              type="file"
              accept="application/json,.json"
              hidden
              data-testid="receipt-file"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          </label>
        </div>
        <label style={{ marginTop: 14 }}>
          Chain JSON-RPC URL
          <input value={rpcUrl} onChange={(e) => setRpcUrl(e.target.value)} data-testid="rpc-url" />
        </label>
        <div style={{ marginTop: 14 }}>
          <button type="button" onClick={() => void verify()} disabled={running || !text.trim()}>
            {running ? "Verifying…" : "Verify receipt"}
          </button>
        </div>
        {inputError && (
          <p className="alert error" role="alert">
            {inputError}
          </p>
        )}
      </section>
      <section aria-live="polite">
        {outcome && (
          <div
            className={`verdict ${outcome.ok ? "passed" : "failed"}`}
            data-testid="verdict"
            data-ok={outcome.ok}
          >
            {!outcome.ok
              ? "Verification failed"
              : outcome.provisional
                ? "Provisional receipt verified: a signed promise to anchor this entry by its deadline"
                : "Verified: this redemption is in the log anchored on chain"}
          </div>
        )}
        <ol className="steps" data-testid="steps">
          {steps.map((step) => (
            <li
              key={step.id}
              className={step.ok ? "passed" : "failed"}
              data-testid={`step-${step.id}`}
              data-ok={step.ok}
            >
              <span className="icon">{step.ok ? "✓" : "✗"}</span>
              <span>
                <strong>{step.label}</strong> — {step.ok ? "passed" : "failed"}
                <br />
                <span className="small muted">{step.detail}</span>
              </span>
            </li>
          ))}
        </ol>
        {steps.length === 0 && !outcome && (
          <p className="muted">
            Paste or upload a receipt and press Verify. Each check is shown here as it runs.
          </p>
        )}
      </section>
    </div>
  );
}
