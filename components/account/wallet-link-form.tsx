"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState, useTransition } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import type { LinkChallenge } from "@/lib/payouts/model";

/** An EIP-1193 provider, as wallets inject it (MetaMask, Rabby, Coinbase Wallet…). */
type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

const injected = () => (window as unknown as { ethereum?: Eip1193 }).ethereum;

/** personal_sign takes the message as hex of its UTF-8 bytes (EIP-191). */
const utf8Hex = (text: string) =>
  `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("")}`;

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const problem = (state: FormState<unknown>) =>
  state.error ?? Object.values(state.fieldErrors ?? {}).find(Boolean);

/**
 * Links a wallet by Sign-In with Ethereum: with the browser's wallet when it has one (it is asked
 * for the account, then to sign), otherwise by hand: the player gives the address, signs the
 * message shown in any wallet, and pastes the signature.
 */
export function WalletLinkForm({
  begin,
  link,
}: {
  begin: FormAction<LinkChallenge>;
  link: FormAction;
}) {
  const router = useRouter();
  const [hasWallet, setHasWallet] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [signing, startSigning] = useTransition();
  const [challengeState, askChallenge, asking] = useActionState(begin, {});
  const [linkState, submitLink, linking] = useActionState(link, {});
  const challengeFields = useFieldErrors(challengeState.fieldErrors);
  const linkFields = useFieldErrors(linkState.fieldErrors);
  useEffect(() => setHasWallet(injected() !== undefined), []);
  useEffect(() => {
    if (linkState.notice) router.refresh();
  }, [linkState.notice, router]);

  const linkWithBrowserWallet = () =>
    startSigning(async () => {
      setError(undefined);
      const wallet = injected();
      if (!wallet) return;
      try {
        const accounts = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
        const address = accounts[0];
        if (!address) throw new Error("The wallet shared no account");
        const started = await begin({}, form({ address }));
        if (!started.data) return setError(problem(started));
        const signature = (await wallet.request({
          method: "personal_sign",
          params: [utf8Hex(started.data.message), address],
        })) as string;
        const done = await link({}, form({ message: started.data.message, signature }));
        if (!done.notice) return setError(problem(done));
        setNotice(done.notice);
        router.refresh();
      } catch (thrown) {
        // A wallet's refusal (EIP-1193 code 4001) or failure: said as the wallet said it.
        setError(thrown instanceof Error ? thrown.message : "The wallet did not sign");
      }
    });

  const challenge = challengeState.data;
  const shownNotice = notice ?? linkState.notice;
  if (shownNotice) {
    return (
      <p className="alert success" role="status">
        {shownNotice}
      </p>
    );
  }
  return (
    <div className="stack" data-testid="wallet-link-form">
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {hasWallet && (
        <div>
          <button type="button" onClick={linkWithBrowserWallet} disabled={signing}>
            {signing ? "Waiting for your wallet…" : "Link with my browser wallet"}
          </button>
          <p className="muted small">
            Your wallet asks you to share an account, then to sign a message naming this site.
            Signing costs nothing and moves no funds.
          </p>
        </div>
      )}
      <details open={!hasWallet}>
        <summary>
          {hasWallet ? "Or sign the message by hand" : "Sign a message with your wallet"}
        </summary>
        <form action={askChallenge} className="stack">
          {challengeState.error && (
            <p className="alert error" role="alert">
              {challengeState.error}
            </p>
          )}
          <label>
            Wallet address
            <input
              placeholder="0x…"
              autoComplete="off"
              spellCheck={false}
              defaultValue={challenge?.address}
              required
              {...challengeFields.field("address")}
            />
            {challengeFields.error("address")}
          </label>
          <button type="submit" className="secondary" disabled={asking}>
            {asking ? "Preparing…" : "Get the message to sign"}
          </button>
        </form>
        {challenge && (
          <form action={submitLink} className="stack" data-testid="wallet-manual-sign">
            <label>
              Message to sign (valid for 10 minutes)
              <textarea
                name="message"
                readOnly
                rows={10}
                className="mono"
                value={challenge.message}
              />
            </label>
            <div>
              <CopyButton text={challenge.message} label="Copy the message" />
            </div>
            {linkState.error && (
              <p className="alert error" role="alert">
                {linkState.error}
              </p>
            )}
            <label>
              Signature
              <input
                placeholder="0x… (130 hexadecimal digits)"
                autoComplete="off"
                spellCheck={false}
                defaultValue={linkState.values?.signature}
                required
                {...linkFields.field("signature")}
              />
              {linkFields.error("signature")}
            </label>
            <button type="submit" disabled={linking}>
              {linking ? "Checking…" : "Link this wallet"}
            </button>
          </form>
        )}
      </details>
    </div>
  );
}
