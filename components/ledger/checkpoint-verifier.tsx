"use client";

import { JsonRpcProvider } from "ethers";
import { useEffect, useState } from "react";
import {
  checkpointTrustOf,
  contractCheckpoints,
  fetchCheckpointNote,
  operatorConsistencyProofs,
  readSavedCheckpoint,
} from "@/lib/ledger/checkpoint-sources";
import {
  fetchLedgerIdentity,
  identityDocumentUrl,
  type LedgerIdentity,
  operatorNodeUrl,
} from "@/lib/ledger/identity";
import { parseDecimal } from "@/lib/tlog/decimal";
import {
  type CheckpointResult,
  type CheckpointStep,
  countOf,
  type PreviousCheckpoint,
  verifyCheckpoint,
} from "@/lib/tlog/verify-checkpoint";
import { OperatorUrlInput } from "./operator-url-input";
import { Verdict, VerifySteps } from "./verify-steps";

type Source = "site" | "operator";

/** The last checkpoint this browser verified for a log, by its origin line. */
const storageKey = (origin: string) => `prizeledger:verified-checkpoint:${origin}`;

/** The remembered checkpoint, if one is stored and still reads as one of this log. */
function rememberedCheckpoint(origin: string): PreviousCheckpoint | undefined {
  const note = window.localStorage.getItem(storageKey(origin));
  if (note === null) return undefined;
  try {
    return readSavedCheckpoint(note, origin);
  } catch {
    return undefined; // not ours to trust, nor worth a failure: the next verified one replaces it
  }
}

/**
 * Verifies a log's latest signed checkpoint in this browser, with the same module the standalone
 * verifier runs: the pinned log key (from this site's published identity, or the operator's
 * document the auditor names), k of its witnesses, consistency with the checkpoint this browser
 * verified last for that log, and the root the contract holds.
 */
export function CheckpointVerifier({ siteIdentity }: { siteIdentity: LedgerIdentity | null }) {
  const [source, setSource] = useState<Source>(siteIdentity?.log ? "site" : "operator");
  const [operatorUrl, setOperatorUrl] = useState("");
  const [quorum, setQuorum] = useState("");
  const [steps, setSteps] = useState<CheckpointStep[]>([]);
  const [result, setResult] = useState<CheckpointResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [remembered, setRemembered] = useState<string | null>(null);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const siteWitnesses = siteIdentity?.witnesses?.length ?? 0;
  const sources: Array<[Source, string]> = [
    ...(siteIdentity?.log
      ? [["site", `This site's (${siteIdentity.log.origin})`] as [Source, string]]
      : []),
    ["operator", "Another operator's, by its address"],
  ];
  const showQuorum = source === "operator" || siteWitnesses > 0;

  /** The document to pin from, and the site its log is served at. */
  const pinned = async (): Promise<{ identity: LedgerIdentity; site: string; rpc: string }> => {
    if (source === "site") {
      if (!siteIdentity)
        throw new Error("This site publishes no ledger identity: name an operator");
      return { identity: siteIdentity, site: window.location.origin, rpc: siteIdentity.rpcUrl };
    }
    if (!operatorUrl.trim()) throw new Error("Enter the operator's address first");
    const url = identityDocumentUrl(operatorUrl);
    const identity = await fetchLedgerIdentity(url);
    return { identity, site: url.origin, rpc: operatorNodeUrl(identity) };
  };

  const verify = async () => {
    setSteps([]);
    setResult(null);
    setError(null);
    setRemembered(null);
    const k = quorum.trim() === "" ? undefined : parseDecimal(quorum.trim());
    if (k === null) {
      setError("The number of witnesses required must be a whole number");
      return;
    }
    setRunning(true);
    let provider: JsonRpcProvider | undefined;
    try {
      const { identity, site, rpc } = await pinned();
      const trust = checkpointTrustOf(identity, k);
      if (trust.quorum > trust.witnesses.length) {
        throw new Error(
          `${trust.quorum} witnesses required, but the document lists ${trust.witnesses.length}`,
        );
      }
      const note = await fetchCheckpointNote(site);
      const previous = rememberedCheckpoint(trust.origin);
      provider = new JsonRpcProvider(rpc, identity.chainId, { staticNetwork: true });
      const outcome = await verifyCheckpoint(
        note,
        trust,
        {
          consistencyProof: operatorConsistencyProofs(site),
          anchoredRoot: contractCheckpoints(provider, identity),
        },
        { ...(previous && { previous }), onStep: (step) => setSteps((s) => [...s, step]) },
      );
      setSteps(outcome.steps);
      setResult(outcome);
      if (outcome.ok && outcome.checkpoint) {
        window.localStorage.setItem(storageKey(trust.origin), note);
        setRemembered(
          `Remembered: ${countOf(outcome.checkpoint.size, "entry", "entries")} of ${trust.origin}. Next time this browser checks that the log extends it.`,
        );
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      provider?.destroy();
      setRunning(false);
    }
  };

  return (
    <div className="grid two" data-testid="checkpoint-verifier">
      <section>
        <p className="small muted">
          The log signs each checkpoint it anchors, and independent witnesses cosign it. This
          browser remembers the last checkpoint it verified for each log (in its local storage) and,
          next time, checks that the new one extends it: a log that rewrote its history, or showed
          you a different one, fails that check.
        </p>
        <fieldset data-testid="checkpoint-source">
          <legend>Whose log</legend>
          {!siteIdentity?.log && (
            <p className="small muted" data-testid="checkpoint-no-site-log">
              This site's ledger identity names no signed log yet.
            </p>
          )}
          {sources.map(([value, label]) => (
            <label className="checkbox" key={value}>
              <input
                type="radio"
                name="checkpoint-source"
                checked={source === value}
                onChange={() => setSource(value)}
                data-testid={`checkpoint-source-${value}`}
              />
              {label}
            </label>
          ))}
          {source === "operator" && (
            <OperatorUrlInput
              value={operatorUrl}
              onChange={setOperatorUrl}
              label="Operator's address or ledger identity URL (for its checkpoint)"
              testId="checkpoint-operator-url"
            />
          )}
        </fieldset>
        {showQuorum && (
          <label style={{ marginTop: 14 }}>
            Witnesses required (leave empty for the operator's own number
            {source === "site" ? `, ${siteIdentity?.witnessQuorum ?? 0} of ${siteWitnesses}` : ""})
            <input
              value={quorum}
              onChange={(e) => setQuorum(e.target.value)}
              inputMode="numeric"
              data-testid="checkpoint-quorum"
            />
          </label>
        )}
        <div style={{ marginTop: 14 }}>
          <button
            type="button"
            onClick={() => void verify()}
            disabled={!hydrated || running}
            data-testid="checkpoint-verify"
          >
            {running ? "Verifying…" : "Verify the latest checkpoint"}
          </button>
        </div>
        {error && (
          <p className="alert error" role="alert" data-testid="checkpoint-error">
            {error}
          </p>
        )}
      </section>
      <section aria-live="polite">
        {result && (
          <Verdict ok={result.ok} testId="checkpoint-verdict">
            {result.ok && result.checkpoint
              ? `Verified: the log's checkpoint of ${countOf(result.checkpoint.size, "entry", "entries")}`
              : "Checkpoint verification failed"}
          </Verdict>
        )}
        <VerifySteps steps={steps} testIdPrefix="checkpoint-" />
        {remembered && (
          <p className="small muted" data-testid="checkpoint-remembered">
            {remembered}
          </p>
        )}
        {steps.length === 0 && !result && (
          <p className="muted">Press the button: each check is shown here as it runs.</p>
        )}
      </section>
    </div>
  );
}
