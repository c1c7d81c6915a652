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
import { parseVerifierKey } from "@/lib/tlog/note";
import {
  type CheckpointResult,
  type CheckpointStep,
  type CheckpointTrust,
  countOf,
  type PreviousCheckpoint,
  verifyCheckpoint,
} from "@/lib/tlog/verify-checkpoint";
import { OperatorUrlInput } from "./operator-url-input";
import { Verdict, VerifySteps } from "./verify-steps";

type Source = "site" | "operator";

/**
 * The last checkpoint this browser verified for a log, by its origin line and its key: another
 * "operator" may publish an honest log's origin under a key of its own, and what it showed here
 * must never become what the honest log is compared with.
 */
const storageKey = (trust: Pick<CheckpointTrust, "origin" | "logKey">) =>
  `prizeledger:verified-checkpoint:${trust.origin}:${trust.logKey.vkey}`;

/**
 * The remembered checkpoint, if one is stored and its log's key still verifies it. One that does
 * not (planted, or from another profile) is forgotten, and `ignored` says so.
 */
async function rememberedCheckpoint(
  trust: CheckpointTrust,
): Promise<{ previous?: PreviousCheckpoint; ignored?: string }> {
  const note = window.localStorage.getItem(storageKey(trust));
  if (note === null) return {};
  try {
    return { previous: await readSavedCheckpoint(note, trust) };
  } catch (e) {
    window.localStorage.removeItem(storageKey(trust));
    const why = e instanceof Error ? e.message : String(e);
    return {
      ignored: `A remembered checkpoint that this log's key did not sign was ignored and forgotten (${why}).`,
    };
  }
}

/** The site's log's storage key, when this site publishes one. */
function siteStorageKey(identity: LedgerIdentity | null): string | null {
  if (!identity?.log) return null;
  try {
    return storageKey({ origin: identity.log.origin, logKey: parseVerifierKey(identity.log.key) });
  } catch {
    return null;
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
  const [ignored, setIgnored] = useState<string | null>(null);
  /** The storage key of the log last verified (or this site's), while a checkpoint is kept. */
  const [forgettable, setForgettable] = useState<string | null>(null);
  const [forgotten, setForgotten] = useState(false);
  const [nodeAsked, setNodeAsked] = useState<string | null>(null);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    const key = siteStorageKey(siteIdentity);
    if (key && window.localStorage.getItem(key) !== null) setForgettable(key);
    setHydrated(true);
  }, [siteIdentity]);

  const forget = () => {
    if (forgettable) window.localStorage.removeItem(forgettable);
    setForgettable(null);
    setRemembered(null);
    setForgotten(true);
  };

  const siteWitnesses = siteIdentity?.witnesses?.length ?? 0;
  const sources: Array<[Source, string]> = [
    ...(siteIdentity?.log
      ? [["site", `This site's (${siteIdentity.log.origin})`] as [Source, string]]
      : []),
    ["operator", "Another operator's, by its address"],
  ];
  const showQuorum = source === "operator" || siteWitnesses > 0;

  /** The document to pin from, and the site its log is served at. */
  const pinned = async (): Promise<{
    identity: LedgerIdentity;
    site: string;
    rpc: string;
    whoseNode: string;
  }> => {
    if (source === "site") {
      if (!siteIdentity)
        throw new Error("This site publishes no ledger identity: name an operator");
      const rpc = siteIdentity.rpcUrl;
      return {
        identity: siteIdentity,
        site: window.location.origin,
        rpc,
        whoseNode: "this site's",
      };
    }
    if (!operatorUrl.trim()) throw new Error("Enter the operator's address first");
    const url = identityDocumentUrl(operatorUrl);
    const identity = await fetchLedgerIdentity(url);
    const rpc = operatorNodeUrl(identity);
    return { identity, site: url.origin, rpc, whoseNode: "the operator's" };
  };

  const verify = async () => {
    setSteps([]);
    setResult(null);
    setError(null);
    setRemembered(null);
    setIgnored(null);
    setForgotten(false);
    setNodeAsked(null);
    const k = quorum.trim() === "" ? undefined : parseDecimal(quorum.trim());
    if (k === null) {
      setError("The number of witnesses required must be a whole number");
      return;
    }
    setRunning(true);
    let provider: JsonRpcProvider | undefined;
    try {
      const { identity, site, rpc, whoseNode } = await pinned();
      setNodeAsked(`Chain node asked: ${rpc} (${whoseNode})`);
      const trust = checkpointTrustOf(identity, k);
      if (trust.quorum > trust.witnesses.length) {
        throw new Error(
          `${trust.quorum} witnesses required, but the document lists ${trust.witnesses.length}`,
        );
      }
      const note = await fetchCheckpointNote(site);
      const { previous, ignored: dropped } = await rememberedCheckpoint(trust);
      if (dropped) setIgnored(dropped);
      const key = storageKey(trust);
      setForgettable(window.localStorage.getItem(key) === null ? null : key);
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
        window.localStorage.setItem(key, note);
        setForgettable(key);
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
        <p className="small muted" data-testid="checkpoint-node-note">
          The on-chain step asks the operator's own chain node (this site's, or the one the
          operator's document names): what it says of the chain is the operator's word. To ask a
          node you chose, run <code>prizeledger-verify checkpoint --operator URL --rpc URL</code>.
        </p>
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
        {nodeAsked && (
          <p className="small" style={{ overflowWrap: "anywhere" }} data-testid="checkpoint-node">
            {nodeAsked}
          </p>
        )}
        {result && (
          <Verdict ok={result.ok} testId="checkpoint-verdict">
            {result.ok && result.checkpoint
              ? `Verified: the log's checkpoint of ${countOf(result.checkpoint.size, "entry", "entries")}`
              : "Checkpoint verification failed"}
          </Verdict>
        )}
        <VerifySteps steps={steps} testIdPrefix="checkpoint-" />
        {ignored && (
          <p className="alert info" data-testid="checkpoint-ignored">
            {ignored}
          </p>
        )}
        {remembered && (
          <p className="small muted" data-testid="checkpoint-remembered">
            {remembered}
          </p>
        )}
        {forgettable && (
          <button
            type="button"
            className="secondary"
            onClick={forget}
            disabled={running}
            data-testid="checkpoint-forget"
          >
            Forget the remembered checkpoint
          </button>
        )}
        {forgotten && (
          <p className="small muted" data-testid="checkpoint-forgotten">
            Forgotten: the next checkpoint verified here is compared with nothing, then remembered.
          </p>
        )}
        {steps.length === 0 && !result && (
          <p className="muted">Press the button: each check is shown here as it runs.</p>
        )}
      </section>
    </div>
  );
}
