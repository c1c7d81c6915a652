"use client";

import { getAddress, JsonRpcProvider } from "ethers";
import { useEffect, useState } from "react";
import {
  describeTrustRoot,
  fetchLedgerIdentity,
  identityDocumentUrl,
  type LedgerIdentity,
  operatorNodeUrl,
  type TrustFailure,
  type TrustRoot,
  trustRootOf,
  WELL_KNOWN_PATH,
} from "@/lib/ledger/identity";
import { bundleReceipts } from "@/lib/ledger/model";
import { verifyProvisionalReceipt } from "@/lib/ledger/provisional";
import { type VerifyStep, verifyReceipt } from "@/lib/ledger/receipt";
import {
  type ChainResult,
  type ChainStep,
  readReceiptInput,
  verifyReceiptChain,
} from "@/lib/ledger/receipt-chain";
import { ReceiptChainResult } from "./receipt-chain-result";
import { VerifySteps } from "./verify-steps";

type Step = Pick<VerifyStep, "label" | "ok" | "detail" | "skipped" | "unchecked"> & {
  id: string;
};
type Outcome = { ok: boolean; provisional: boolean; reason?: TrustFailure } | null;
/** A verification's trusted ledger and the node it asked, shown together with its verdict. */
type Pinned = { trust: TrustRoot; rpc: string; whoseNode: string };
type TrustChoice = "site" | "operator" | "contract";
/** A chain of receipts being checked: each link's steps so far, and the verdict once done. */
type ChainRun = { result: ChainResult | null; steps: Record<"claim" | "delivery", ChainStep[]> };

const MAX_RECEIPT_BYTES = 256_000;
// An identity document lists at most 16 witnesses (lib/ledger/identity.ts).
const MAX_QUORUM = 16;

const TRUST_CHOICES: Array<[TrustChoice, string]> = [
  ["site", "This site's (shown above)"],
  ["operator", "Another operator's, by its address"],
  ["contract", "A chain id and ledger contract"],
];

const REASONS: Record<TrustFailure, string> = {
  untrusted_chain: "the receipt names another chain (untrusted_chain)",
  untrusted_contract: "the receipt names another ledger contract (untrusted_contract)",
  untrusted_signer: "the receipt is signed by a key the ledger does not trust (untrusted_signer)",
};

/**
 * Checks a receipt entirely in this browser against a pinned ledger: this site's published
 * identity (rendered by the server, never read from the receipt), or the operator the auditor
 * names. The chain is asked over JSON-RPC; the receipt's own claims about which chain, contract
 * and signer to ask are only compared with the pinned ones. The node is chosen afresh for each
 * verification (the auditor's own, else the pinned ledger's), never kept from an earlier one: a
 * node can answer anything, so an operator's node must not outlive the choice of that operator.
 */
export function ReceiptVerifier({
  siteIdentity,
  defaultRpcUrl,
  redemptionId,
}: {
  siteIdentity: LedgerIdentity | null;
  /** This site's public node: the default for its own ledger and for a chain id and contract. */
  defaultRpcUrl?: string;
  redemptionId?: string;
}) {
  const [text, setText] = useState("");
  /** The auditor's own node; empty means the pinned ledger's. */
  const [ownRpcUrl, setOwnRpcUrl] = useState("");
  const [choice, setChoice] = useState<TrustChoice>(siteIdentity ? "site" : "operator");
  const [operatorUrl, setOperatorUrl] = useState("");
  const [pinChainId, setPinChainId] = useState("");
  const [pinContract, setPinContract] = useState("");
  /** How many of the document's witnesses must have cosigned; empty means its own quorum. */
  const [quorum, setQuorum] = useState("");
  const [trusted, setTrusted] = useState<Pinned | null>(null);
  const [steps, setSteps] = useState<Step[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [running, setRunning] = useState(false);
  const [inputError, setInputError] = useState<string | null>(null);
  const [chain, setChain] = useState<ChainRun | null>(null);
  // Until React runs here the button cannot work: it stays disabled (and the noscript says why).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  useEffect(() => {
    if (!redemptionId) return;
    const load = async (kind: "redemption" | "delivery") => {
      const res = await fetch(`/api/v1/redemptions/${redemptionId}/receipt?kind=${kind}`, {
        cache: "no-store",
      });
      // No delivery outcome in the log yet: the claim is all there is to check.
      if (kind === "delivery" && res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as unknown;
    };
    Promise.all([load("redemption"), load("delivery")])
      .then(([claim, delivery]) =>
        setText(
          JSON.stringify(delivery === undefined ? claim : bundleReceipts(claim, delivery), null, 2),
        ),
      )
      .catch((e: Error) => setInputError(`Could not load your receipt: ${e.message}`));
  }, [redemptionId]);

  /** One file is shown as it is; two (a claim and its delivery receipt) become one chain. */
  const onFiles = async (files: FileList | null) => {
    const chosen = Array.from(files ?? []);
    if (chosen.length === 0) return;
    if (chosen.length > 2) {
      setInputError("Upload one receipt, or a claim and its delivery receipt");
      return;
    }
    if (chosen.some((file) => file.size > MAX_RECEIPT_BYTES)) {
      setInputError("That file is too large to be a receipt");
      return;
    }
    const texts = await Promise.all(chosen.map((file) => file.text()));
    setInputError(null);
    if (texts.length === 1) {
      setText(texts[0] ?? "");
      return;
    }
    let docs: unknown[];
    try {
      docs = texts.map((t) => JSON.parse(t) as unknown);
    } catch {
      setInputError("One of the files is not valid JSON");
      return;
    }
    const read = readReceiptInput(docs);
    if (read.mode === "invalid") {
      setInputError(read.error);
      return;
    }
    setText(
      JSON.stringify(
        read.mode === "chain" ? bundleReceipts(read.claim, read.delivery) : read.receipt,
        null,
        2,
      ),
    );
  };

  /** The trust root with the auditor's k, when they set one, instead of the document's. */
  const withQuorum = (trust: TrustRoot): TrustRoot => {
    const k = quorum.trim();
    if (k === "") return trust;
    if (!/^[0-9]+$/.test(k) || Number(k) > MAX_QUORUM) {
      throw new Error(`The number of witnesses must be a whole number from 0 to ${MAX_QUORUM}`);
    }
    return { ...trust, quorum: Number(k) };
  };

  /** The ledger to trust as the auditor chose it, and the node to ask about it. */
  const pinTrust = async (): Promise<Pinned> => {
    const own = ownRpcUrl.trim();
    const withNode = (
      trust: TrustRoot,
      whose: string,
      published: () => string | undefined,
    ): Pinned => {
      if (own) return { trust, rpc: own, whoseNode: "yours" };
      const rpc = published();
      if (!rpc) throw new Error("Name the chain node to ask: this site publishes none");
      return { trust, rpc, whoseNode: whose };
    };
    if (choice === "site") {
      if (!siteIdentity) throw new Error("This site has no ledger identity: name an operator");
      return withNode(
        withQuorum(trustRootOf(siteIdentity, "this site")),
        "this site's",
        () => siteIdentity.rpcUrl,
      );
    }
    if (choice === "operator") {
      const url = identityDocumentUrl(operatorUrl);
      const identity = await fetchLedgerIdentity(url);
      return withNode(withQuorum(trustRootOf(identity, url.toString())), "the operator's", () =>
        operatorNodeUrl(identity),
      );
    }
    const chainId = Number(pinChainId);
    if (!/^[1-9][0-9]*$/.test(pinChainId.trim()) || !Number.isSafeInteger(chainId)) {
      throw new Error("The chain id must be a positive whole number");
    }
    if (!/^0x[0-9a-fA-F]{40}$/.test(pinContract.trim())) {
      throw new Error("The contract must be an address: 0x and 40 hex digits");
    }
    return withNode(
      {
        chainId,
        contract: getAddress(pinContract.trim().toLowerCase()),
        source: "the chain id and contract you entered",
      },
      "this site's",
      () => defaultRpcUrl,
    );
  };

  const verify = async () => {
    setSteps([]);
    setOutcome(null);
    setChain(null);
    setTrusted(null);
    setInputError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setInputError("The receipt is not valid JSON");
      return;
    }
    const input = readReceiptInput(parsed);
    if (input.mode === "invalid") {
      setInputError(input.error);
      return;
    }
    setRunning(true);
    let pinned: Pinned;
    try {
      pinned = await pinTrust();
    } catch (error) {
      setInputError(error instanceof Error ? error.message : String(error));
      setRunning(false);
      return;
    }
    const url = URL.canParse(pinned.rpc) ? new URL(pinned.rpc) : undefined;
    if (!url || !["http:", "https:"].includes(url.protocol)) {
      setInputError(
        url
          ? `The chain RPC URL must start with http:// or https://, not ${url.protocol}//`
          : "The chain RPC URL is not a web address: it must start with http:// or https://",
      );
      setRunning(false);
      return;
    }
    setTrusted(pinned);
    const provider = new JsonRpcProvider(url.toString(), undefined, { staticNetwork: true });
    if (input.mode === "chain") {
      setChain({ result: null, steps: { claim: [], delivery: [] } });
      try {
        const result = await verifyReceiptChain(input, provider, pinned.trust, (link, step) =>
          setChain(
            (run) => run && { ...run, steps: { ...run.steps, [link]: [...run.steps[link], step] } },
          ),
        );
        const stepsOf = (link: ChainResult["claim"]) => (link.present ? link.steps : []);
        setChain({
          result,
          steps: { claim: stepsOf(result.claim), delivery: stepsOf(result.delivery) },
        });
      } finally {
        provider.destroy();
        setRunning(false);
      }
      return;
    }
    const receipt = input.receipt;
    try {
      // A provisional receipt carries the operator's signed promise instead of a proof.
      const provisional = (receipt as { status?: unknown } | null)?.status === "pending";
      const result = provisional
        ? await verifyProvisionalReceipt(receipt, provider, pinned.trust)
        : await verifyReceipt(receipt, provider, pinned.trust, (step) =>
            setSteps((previous) => [...previous, step]),
          );
      setSteps(result.steps);
      setOutcome({ ok: result.ok, provisional, reason: result.reason });
    } finally {
      provider.destroy();
      setRunning(false);
    }
  };

  const siteWitnesses = siteIdentity?.witnesses?.length ?? 0;
  const siteQuorum = siteIdentity?.witnessQuorum ?? 0;
  // An operator's document is read only when verifying: it may list witnesses.
  const witnessesOffered = choice === "operator" || (choice === "site" && siteWitnesses > 0);

  return (
    <div className="grid two">
      <section>
        <label>
          Receipt (JSON): one receipt, or a claim and delivery chain
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
            Upload one or two files
            <input
              type="file"
              accept="application/json,.json"
              multiple
              hidden
              data-testid="receipt-file"
              onChange={(e) => void onFiles(e.target.files)}
            />
          </label>
        </div>
        <fieldset style={{ marginTop: 14 }} data-testid="trust-choice">
          <legend>Whose ledger to trust</legend>
          {TRUST_CHOICES.filter(([value]) => value !== "site" || siteIdentity).map(
            ([value, label]) => (
              <label className="checkbox" key={value}>
                <input
                  type="radio"
                  name="trust"
                  checked={choice === value}
                  onChange={() => setChoice(value)}
                  data-testid={`trust-${value}`}
                />
                {label}
              </label>
            ),
          )}
          {choice === "operator" && (
            <input
              value={operatorUrl}
              onChange={(e) => setOperatorUrl(e.target.value)}
              placeholder={`https://operator.example${WELL_KNOWN_PATH}`}
              aria-label="Operator's address or ledger identity URL"
              style={{ width: "100%" }}
              data-testid="operator-url"
            />
          )}
          {choice === "contract" && (
            <div className="row">
              <input
                value={pinChainId}
                onChange={(e) => setPinChainId(e.target.value)}
                placeholder="Chain id"
                aria-label="Chain id"
                inputMode="numeric"
                style={{ flex: "1 1 90px" }}
                data-testid="pin-chain-id"
              />
              <input
                value={pinContract}
                onChange={(e) => setPinContract(e.target.value)}
                placeholder="Contract 0x…"
                aria-label="Ledger contract"
                style={{ flex: "3 1 200px" }}
                data-testid="pin-contract"
              />
            </div>
          )}
        </fieldset>
        {witnessesOffered && (
          <label style={{ marginTop: 14 }}>
            Witnesses that must have cosigned (k)
            <input
              type="number"
              min={0}
              max={MAX_QUORUM}
              inputMode="numeric"
              value={quorum}
              onChange={(e) => setQuorum(e.target.value)}
              placeholder={
                siteWitnesses > 0 && choice === "site" ? String(siteQuorum) : "its quorum"
              }
              aria-describedby="witness-quorum-hint"
              data-testid="witness-quorum"
            />
            <span id="witness-quorum-hint" className="small muted" style={{ display: "block" }}>
              {choice === "site"
                ? `Of the ${siteWitnesses} witnesses this site names. Left empty, its quorum: ${siteQuorum}.`
                : "Of the witnesses the operator's document names. Left empty, the quorum it publishes (0 if none)."}
            </span>
          </label>
        )}
        <label style={{ marginTop: 14 }}>
          Chain JSON-RPC URL (optional: a node you trust)
          <input
            value={ownRpcUrl}
            onChange={(e) => setOwnRpcUrl(e.target.value)}
            placeholder="https://…"
            data-testid="rpc-url"
          />
        </label>
        <p className="small muted" style={{ overflowWrap: "anywhere" }} data-testid="rpc-default">
          {ownRpcUrl.trim()
            ? "Your node is asked, whichever ledger you trust."
            : choice === "operator"
              ? "Left empty, the node the operator publishes is asked (https, or http on this machine)."
              : defaultRpcUrl
                ? `Left empty, this site's node is asked: ${defaultRpcUrl}`
                : "This site publishes no chain node: name one."}
        </p>
        <div style={{ marginTop: 14 }}>
          <button
            type="button"
            onClick={() => void verify()}
            disabled={!hydrated || running || !text.trim()}
            aria-describedby={text.trim() ? undefined : "verify-needs"}
          >
            {running ? "Verifying…" : "Verify receipt"}
          </button>
          {hydrated && !text.trim() && (
            <span id="verify-needs" className="small muted" style={{ marginLeft: 10 }}>
              Paste or upload a receipt first.
            </span>
          )}
        </div>
        <noscript>
          <p className="alert info" data-testid="verify-noscript">
            Verifying needs JavaScript: your browser does the checking itself (it recomputes the
            entry and asks the chain node), so nothing is sent to this site to check for you. Turn
            JavaScript on for this page, or run <code>npm run verify -- receipt.json</code> in a
            terminal.
          </p>
        </noscript>
        {inputError && (
          <p className="alert error" role="alert">
            {inputError}
          </p>
        )}
      </section>
      <section aria-live="polite">
        {trusted && (
          <>
            <p
              className="small"
              style={{ overflowWrap: "anywhere" }}
              data-testid="trusted-identity"
            >
              Trusted ledger: {describeTrustRoot(trusted.trust)}
            </p>
            <p className="small" style={{ overflowWrap: "anywhere" }} data-testid="trusted-node">
              Chain node asked: {trusted.rpc} ({trusted.whoseNode})
            </p>
          </>
        )}
        {chain && <ReceiptChainResult result={chain.result} steps={chain.steps} />}
        {outcome && (
          <div
            className={`verdict ${outcome.ok ? "passed" : "failed"}`}
            data-testid="verdict"
            data-ok={outcome.ok}
          >
            {!outcome.ok
              ? outcome.reason
                ? `Verification failed: ${REASONS[outcome.reason]}`
                : "Verification failed"
              : outcome.provisional
                ? "Provisional receipt verified: a signed promise to anchor this entry by its deadline"
                : "Verified: this redemption is in the log anchored on chain"}
          </div>
        )}
        <VerifySteps steps={steps} />
        {steps.length === 0 && !outcome && !chain && (
          <p className="muted">
            Paste or upload a receipt and press Verify. Each check is shown here as it runs. Give a
            redemption's claim and delivery receipts together (the file its page downloads, or both
            files) to check that it was claimed, then delivered.
          </p>
        )}
      </section>
    </div>
  );
}
