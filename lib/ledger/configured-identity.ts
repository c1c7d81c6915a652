import "server-only";
import { computeAddress } from "ethers";
import { type Env, logOrigin, logVerifierKey, publicRpcUrl, witnessQuorum } from "@/lib/config/env";
import {
  describeIssues,
  type LedgerIdentity,
  LedgerIdentityError,
  ledgerIdentitySchema,
} from "./identity";

/** This operator's identity as its configuration states it (the server publishes this). */
export function identityFromEnv(config: Env): LedgerIdentity {
  const rpcUrl = publicRpcUrl(config);
  const missing = [
    ...(["LEDGER_CONTRACT", "LEDGER_CHAIN_ID", "LEDGER_DEPLOYMENT_BLOCK"] as const).filter(
      (name) => config[name] === undefined,
    ),
    ...(rpcUrl === undefined ? ["LEDGER_PUBLIC_RPC_URL"] : []),
  ];
  if (missing.length > 0) {
    throw new LedgerIdentityError(
      "ledger_identity_unconfigured",
      `The ledger identity is not configured: ${missing.join(", ")} not set.`,
    );
  }
  const parsed = ledgerIdentitySchema.safeParse(
    {
      version: 1,
      chainId: config.LEDGER_CHAIN_ID,
      contract: config.LEDGER_CONTRACT,
      deploymentBlock: config.LEDGER_DEPLOYMENT_BLOCK,
      receiptSigners: config.RECEIPT_SIGNING_KEY
        ? [computeAddress(config.RECEIPT_SIGNING_KEY)]
        : [],
      rpcUrl,
      ...logIdentity(config),
    },
    { reportInput: true },
  );
  if (!parsed.success) {
    throw new LedgerIdentityError(
      "ledger_identity_unconfigured",
      `The ledger identity is misconfigured. ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * The log's key and its witnesses, once a log key is configured: without one nothing is signed,
 * and witnesses would have nothing to cosign.
 */
function logIdentity(config: Env) {
  const key = logVerifierKey(config);
  if (key === undefined) return {};
  const witnesses = config.LOG_WITNESSES ?? [];
  return {
    log: { origin: logOrigin(config), key },
    ...(witnesses.length > 0 ? { witnesses, witnessQuorum: witnessQuorum(config) } : {}),
  };
}

/** identityFromEnv, or null where no ledger is configured (pages say so instead of failing). */
export function configuredIdentity(config: Env): LedgerIdentity | null {
  try {
    return identityFromEnv(config);
  } catch (error) {
    if (error instanceof LedgerIdentityError) return null;
    throw error;
  }
}
