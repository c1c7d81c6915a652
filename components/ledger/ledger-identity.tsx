import { type LedgerIdentity, WELL_KNOWN_PATH } from "@/lib/ledger/identity";

/** This operator's published ledger identity: what /verify trusts and what auditors should pin. */
export function LedgerIdentityFacts({ identity }: { identity: LedgerIdentity | null }) {
  if (!identity) {
    return (
      <p className="card muted" data-testid="ledger-identity">
        This site has not configured its ledger identity, so its receipts cannot be checked against
        it.
      </p>
    );
  }
  return (
    <div className="card" data-testid="ledger-identity">
      <dl className="facts">
        <dt>Chain id</dt>
        <dd data-testid="identity-chain-id">{identity.chainId}</dd>
        <dt>Ledger contract</dt>
        <dd className="hash" data-testid="identity-contract">
          {identity.contract}
        </dd>
        <dt>Deployed in block</dt>
        <dd>{identity.deploymentBlock}</dd>
        <dt>Receipt signers</dt>
        <dd className="hash" data-testid="identity-signers">
          {identity.receiptSigners.length > 0 ? identity.receiptSigners.join(", ") : "none"}
        </dd>
        <dt>Public chain node</dt>
        <dd className="hash">{identity.rpcUrl}</dd>
      </dl>
      <p className="small muted" style={{ margin: "12px 0 0" }}>
        Published at <a href={WELL_KNOWN_PATH}>{WELL_KNOWN_PATH}</a>. A receipt that names another
        chain, contract or signer is not one of ours, however well it checks out on its own chain.
      </p>
    </div>
  );
}
