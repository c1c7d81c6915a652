import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { generateSignerKey } from "@/lib/tlog/sign";
import { DEV_RECEIPT_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import { COLLIDING_VKEYS } from "@/test/fixtures/colliding-vkeys";
import {
  ATTACKER_KEY,
  anchorFirstCheckpoint,
  deployLookAlikeLedger,
  type LeafInput,
  signedProvisionalReceipt,
} from "@/test/receipts";
import { configuredIdentity, identityFromEnv } from "./configured-identity";
import {
  checkTrust,
  describeTrustRoot,
  fetchLedgerIdentity,
  identityDocumentUrl,
  LedgerIdentityError,
  ledgerIdentitySchema,
  operatorNodeUrl,
  type TrustRoot,
  trustRootOf,
} from "./identity";
import { verifyProvisionalReceipt } from "./provisional";
import { type Receipt, verifyReceipt } from "./receipt";

const chain = connectTestChain();
const PLAYER = "5a1f1d3c-8f0e-4b7a-9c2d-1e2f3a4b5c6d";
const NOW = 1_800_000_000;
/** A well-formed published identity document, before the log and witness fields. */
const publishedDocument = {
  version: 1,
  chainId: 31337,
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  deploymentBlock: 0,
  receiptSigners: [],
  rpcUrl: "https://rpc.op.example",
};

const genuineLeaf: LeafInput = {
  playerId: PLAYER,
  salt: Uint8Array.from(randomBytes(32)),
  valueCents: 2_500,
  entryId: "0190f3a2-7b1c-7d4e-8f00-000000000001",
};

describe("a receipt from a look-alike ledger on the operator's chain", () => {
  let genuine: Receipt;
  let forged: Receipt;
  let attackerContract: string;

  beforeAll(async () => {
    [genuine] = (await anchorFirstCheckpoint(chain.signer, chain.provider, chain.contractAddress, [
      genuineLeaf,
    ])) as [Receipt];
    // The attacker copies the real player commitment (player id and salt) from a genuine
    // receipt, makes up a $10,000 prize for it and anchors that on a ledger of their own.
    const lookAlike = await deployLookAlikeLedger(chain.provider);
    attackerContract = lookAlike.contract;
    [forged] = (await anchorFirstCheckpoint(lookAlike.attacker, chain.provider, attackerContract, [
      { ...genuineLeaf, valueCents: 1_000_000, entryId: "0190f3a2-7b1c-7d4e-8f00-00000000dead" },
    ])) as [Receipt];
  }, 120_000);

  it("is a complete forgery: trusting the contract it names, every step passes", async () => {
    const result = await verifyReceipt(forged, chain.provider, {
      chainId: forged.anchor.chainId,
      contract: forged.anchor.contract,
      source: "the receipt itself",
    });
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
  });

  it("fails first, as untrusted_contract, against the operator's pinned ledger", async () => {
    expect((await verifyReceipt(genuine, chain.provider, chain.trust)).ok).toBe(true);

    const result = await verifyReceipt(forged, chain.provider, chain.trust);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe("untrusted_contract");
    const [format, identity, ...rest] = result.steps;
    expect(format?.ok).toBe(true);
    expect(identity).toMatchObject({ id: "identity", ok: false, code: "untrusted_contract" });
    expect(identity?.detail).toContain(attackerContract);
    expect(identity?.detail).toContain(chain.contractAddress);
    // Nothing the forged receipt says is checked against any chain after that.
    expect(rest.every((s) => !s.ok && s.skipped && s.detail.startsWith("Not run"))).toBe(true);
  });

  it("names untrusted_chain for a receipt on another chain, even with the right contract", async () => {
    const otherChain = structuredClone(genuine);
    otherChain.anchor.chainId = 1;
    const result = await verifyReceipt(otherChain, chain.provider, chain.trust);
    expect(result.reason).toBe("untrusted_chain");
    expect(result.steps[1]).toMatchObject({ id: "identity", code: "untrusted_chain" });
  });
});

describe("a forged provisional receipt", () => {
  let attackerContract: string;
  beforeAll(async () => {
    attackerContract = (await deployLookAlikeLedger(chain.provider)).contract;
  }, 120_000);

  const forgedLeaf = { ...genuineLeaf, valueCents: 1_000_000 };

  it("signed by the attacker for their own contract fails as untrusted_contract", async () => {
    const forged = await signedProvisionalReceipt(
      ATTACKER_KEY,
      chain.chainId,
      attackerContract,
      forgedLeaf,
      NOW + 300,
    );
    // Against the ledger it names, it would pass: the attacker's key holds the role there.
    const naive = await verifyProvisionalReceipt(
      forged,
      chain.provider,
      { chainId: chain.chainId, contract: attackerContract, source: "the receipt itself" },
      NOW,
    );
    expect(naive.ok).toBe(true);

    const result = await verifyProvisionalReceipt(forged, chain.provider, chain.trust, NOW);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe("untrusted_contract");
    expect(result.steps.map((s) => s.id)).toEqual(["format", "identity"]);
  });

  it("signed by the attacker for the operator's contract fails as untrusted_signer", async () => {
    const forged = await signedProvisionalReceipt(
      ATTACKER_KEY,
      chain.chainId,
      chain.contractAddress,
      forgedLeaf,
      NOW + 300,
    );
    const listed = await verifyProvisionalReceipt(forged, chain.provider, chain.trust, NOW);
    expect(listed.reason).toBe("untrusted_signer");
    expect(listed.steps[1]).toMatchObject({ id: "identity", ok: false, code: "untrusted_signer" });

    // Pinned by chain id and contract alone, the contract's signer role rules it out.
    const { receiptSigners: _, ...byContract } = chain.trust;
    const unlisted = await verifyProvisionalReceipt(forged, chain.provider, byContract, NOW);
    expect(unlisted.reason).toBe("untrusted_signer");
    expect(unlisted.steps.find((s) => s.id === "signer")).toMatchObject({
      ok: false,
      code: "untrusted_signer",
    });

    const genuine = await signedProvisionalReceipt(
      DEV_RECEIPT_KEY,
      chain.chainId,
      chain.contractAddress,
      genuineLeaf,
      NOW + 300,
    );
    expect((await verifyProvisionalReceipt(genuine, chain.provider, chain.trust, NOW)).ok).toBe(
      true,
    );
    expect((await verifyProvisionalReceipt(genuine, chain.provider, byContract, NOW)).ok).toBe(
      true,
    );
  });
});

describe("ledger identity", () => {
  const logKey = generateSignerKey("op.example", 0x01).vkey;
  const witnessKey = generateSignerKey("w.example", 0x04).vkey;
  const badKeyId = logKey.replace(/\+[0-9a-f]{8}\+/, "+00000000+");
  const trust: TrustRoot = {
    chainId: 31337,
    contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    receiptSigners: [new Wallet(DEV_RECEIPT_KEY).address],
    source: "this site",
  };

  it("checks chain, then contract, then signer, in any letter case", () => {
    const named = { chainId: 31337, contract: trust.contract.toLowerCase() };
    expect(checkTrust(named, trust).ok).toBe(true);
    expect(
      checkTrust({ ...named, chainId: 1, contract: `0x${"1".repeat(40)}` }, trust),
    ).toMatchObject({
      code: "untrusted_chain",
    });
    expect(checkTrust({ ...named, contract: `0x${"1".repeat(40)}` }, trust)).toMatchObject({
      code: "untrusted_contract",
    });
    const signer = new Wallet(ATTACKER_KEY).address;
    expect(checkTrust({ ...named, signer }, trust)).toMatchObject({ code: "untrusted_signer" });
    expect(
      checkTrust(
        { ...named, signer: new Wallet(DEV_RECEIPT_KEY).address.toUpperCase().replace("0X", "0x") },
        trust,
      ).ok,
    ).toBe(true);
  });

  it("is built from the operator's configuration, and refused when it is incomplete", () => {
    const identity = identityFromEnv(
      parseEnv({
        LEDGER_RPC_URL: "http://127.0.0.1:8545",
        LEDGER_PUBLIC_RPC_URL: "https://rpc.example",
        LEDGER_CONTRACT: trust.contract.toLowerCase(),
        ANCHORER_KEY: ATTACKER_KEY,
        LEDGER_CHAIN_ID: "31337",
        LEDGER_DEPLOYMENT_BLOCK: "7",
        RECEIPT_SIGNING_KEY: DEV_RECEIPT_KEY,
      }),
    );
    expect(identity).toEqual({
      version: 1,
      chainId: 31337,
      contract: trust.contract,
      deploymentBlock: 7,
      receiptSigners: trust.receiptSigners,
      rpcUrl: "https://rpc.example",
    });
    expect(() =>
      identityFromEnv(
        parseEnv({
          LEDGER_RPC_URL: "http://127.0.0.1:8545",
          LEDGER_CONTRACT: trust.contract,
          ANCHORER_KEY: ATTACKER_KEY,
          LEDGER_CHAIN_ID: "31337",
        }),
      ),
    ).toThrow(/LEDGER_DEPLOYMENT_BLOCK, LEDGER_PUBLIC_RPC_URL not set/);
  });

  it("publishes the log's verifier key and its witnesses once a log key is configured", () => {
    const ledger = {
      LEDGER_CONTRACT: trust.contract,
      LEDGER_CHAIN_ID: "31337",
      LEDGER_DEPLOYMENT_BLOCK: "7",
      LEDGER_RPC_URL: "http://127.0.0.1:8545",
      LEDGER_PUBLIC_RPC_URL: "https://rpc.example",
      APP_URL: "https://prizes.example",
    };
    expect(identityFromEnv(parseEnv(ledger))).not.toHaveProperty("log");
    const log = generateSignerKey("prizes.example", 0x01);
    const witnesses = [1, 2].map((n) => ({
      key: generateSignerKey(`w${n}.example`, 0x04).vkey,
      url: `https://w${n}.example`,
    }));
    // A web instance holds the verifier key alone; the worker's signing key gives the same.
    for (const key of [{ LOG_VERIFIER_KEY: log.vkey }, { LOG_SIGNING_KEY: log.skey }]) {
      const identity = identityFromEnv(
        parseEnv({
          ...ledger,
          ...key,
          LOG_WITNESSES: JSON.stringify(witnesses),
          WITNESS_QUORUM: "1",
        }),
      );
      expect(identity).toMatchObject({
        log: { origin: "prizes.example", key: log.vkey },
        witnesses,
        witnessQuorum: 1,
      });
    }
    const unwitnessed = identityFromEnv(parseEnv({ ...ledger, LOG_VERIFIER_KEY: log.vkey }));
    expect(unwitnessed.log?.key).toBe(log.vkey);
    expect(unwitnessed).not.toHaveProperty("witnesses");
  });

  // The worker's node may speak WebSocket, or carry an API key in its path: never published.
  it("publishes only LEDGER_PUBLIC_RPC_URL, and is unconfigured without it or when malformed", () => {
    const ledger = {
      LEDGER_CONTRACT: trust.contract,
      LEDGER_CHAIN_ID: "31337",
      LEDGER_DEPLOYMENT_BLOCK: "7",
    };
    for (const internal of ["wss://node.example/ws", "https://node.example/v3/SECRETKEY"]) {
      const config = parseEnv({ ...ledger, LEDGER_RPC_URL: internal });
      const refused = (() => {
        try {
          return identityFromEnv(config);
        } catch (error) {
          return error;
        }
      })();
      expect(refused, internal).toBeInstanceOf(LedgerIdentityError);
      expect(refused).toMatchObject({
        code: "ledger_identity_unconfigured",
        message: expect.stringContaining("LEDGER_PUBLIC_RPC_URL not set"),
      });
      expect(configuredIdentity(config)).toBeNull();
      expect(
        identityFromEnv(
          parseEnv({
            ...ledger,
            LEDGER_RPC_URL: internal,
            LEDGER_PUBLIC_RPC_URL: "https://rpc.example",
          }),
        ).rpcUrl,
      ).toBe("https://rpc.example");
    }
    // Whatever slips past the environment's own checks is still a configuration problem.
    const tooBig = {
      ...parseEnv({
        ...ledger,
        LEDGER_RPC_URL: "http://127.0.0.1:8545",
        LEDGER_PUBLIC_RPC_URL: "http://127.0.0.1:8545",
      }),
      LEDGER_CHAIN_ID: 2 ** 60,
    };
    expect(() => identityFromEnv(tooBig)).toThrow(LedgerIdentityError);
    expect(() => identityFromEnv(tooBig)).toThrow(
      /misconfigured\. The chain id must be at most 9007199254740991\./,
    );
    expect(configuredIdentity(tooBig)).toBeNull();
  });

  it("takes an operator's node over plain http only on this machine", () => {
    const identity = {
      version: 1 as const,
      chainId: 31337,
      contract: trust.contract,
      deploymentBlock: 0,
      receiptSigners: [],
    };
    for (const rpcUrl of [
      "https://rpc.op.example",
      "http://localhost:8545",
      "http://127.0.0.1:8545/",
      "http://[::1]:8545",
    ]) {
      expect(operatorNodeUrl({ ...identity, rpcUrl }), rpcUrl).toBe(rpcUrl);
    }
    for (const rpcUrl of [
      "http://rpc.op.example",
      "http://10.0.0.5:8545",
      "http://127.0.0.1.op.example",
    ]) {
      expect(() => operatorNodeUrl({ ...identity, rpcUrl }), rpcUrl).toThrow(
        expect.objectContaining({ code: "insecure_operator_node" }),
      );
    }
  });

  it("names an operator by its address or its document's, https or this machine only", () => {
    expect(identityDocumentUrl("https://op.example").toString()).toBe(
      "https://op.example/.well-known/prizeledger.json",
    );
    expect(identityDocumentUrl("https://op.example/ledger.json").toString()).toBe(
      "https://op.example/ledger.json",
    );
    expect(identityDocumentUrl("http://localhost:3000/").toString()).toBe(
      "http://localhost:3000/.well-known/prizeledger.json",
    );
    for (const bad of [
      "http://op.example",
      "http://localhost.op.example",
      "op.example",
      "javascript:alert(1)",
      "file:///etc/passwd",
    ]) {
      expect(() => identityDocumentUrl(bad), bad).toThrow(LedgerIdentityError);
    }
  });

  it("pins the log key, witnesses and quorum a document publishes, and says them", async () => {
    const identity = ledgerIdentitySchema.parse({
      ...publishedDocument,
      log: { origin: "op.example", key: logKey },
      witnesses: [{ key: witnessKey, url: "https://w.example" }],
      witnessQuorum: 1,
    });
    const pinned = trustRootOf(identity, "op");
    expect(pinned).toMatchObject({
      logKey,
      logOrigin: "op.example",
      witnesses: [witnessKey],
      quorum: 1,
    });
    expect(describeTrustRoot(pinned)).toBe(
      `op: chain 31337, contract ${trust.contract}, no receipt signers, log key ${logKey}, 1 of the 1 witnesses ${witnessKey}`,
    );
  });

  it("refuses a published document that is not a ledger identity, saying why", async () => {
    const url = new URL("https://op.example/.well-known/prizeledger.json");
    const serve =
      (body: string, status = 200) =>
      async () =>
        new Response(body, { status });
    const good = publishedDocument;
    expect(trustRootOf(await fetchLedgerIdentity(url, serve(JSON.stringify(good))), "op")).toEqual({
      chainId: 31337,
      contract: trust.contract,
      receiptSigners: [],
      source: "op",
    });
    const cases: Array<[string, () => Promise<Response>, RegExp]> = [
      ["404", serve("nope", 404), /HTTP 404/],
      ["not JSON", serve("<html>"), /not JSON/],
      [
        "no contract",
        serve(JSON.stringify({ ...good, contract: "0x12" })),
        /The contract address must be an address \(0x and 40 hex digits\)\./,
      ],
      [
        "rpc not http",
        serve(JSON.stringify({ ...good, rpcUrl: "javascript:alert(1)" })),
        /The public chain node URL must be a web address \(http or https\)\./,
      ],
      [
        "log key with a wrong key id",
        serve(JSON.stringify({ ...good, log: { origin: "op.example", key: badKeyId } })),
        /The log's key is not valid \(verifier key op\.example: the key id 00000000 does not match the key\)\./,
      ],
      [
        "log key of a witness's type",
        serve(JSON.stringify({ ...good, log: { origin: "op.example", key: witnessKey } })),
        /The log's key is not valid \(expected an Ed25519 note key \(type 0x01\), got a cosignature\/v1 key \(type 0x04\)\)\./,
      ],
      [
        "witness key of the log's type",
        serve(JSON.stringify({ ...good, witnesses: [{ key: witnessKey }, { key: logKey }] })),
        /A witness's key is not valid \(expected a cosignature\/v1 key \(type 0x04\)/,
      ],
      [
        "two witnesses a cosignature line names alike",
        serve(JSON.stringify({ ...good, witnesses: COLLIDING_VKEYS.map((key) => ({ key })) })),
        /A witness.s key is not valid \(ambiguous key witness\.example\+12462dc5: two trusted keys share this name and key id\)\./,
      ],
      ["huge", serve(" ".repeat(70_000)), /larger than/],
      [
        "unreachable",
        async () => Promise.reject(new TypeError("fetch failed")),
        /could not be read.*fetch failed/,
      ],
    ];
    for (const [what, fetchFn, message] of cases) {
      await expect(fetchLedgerIdentity(url, fetchFn), what).rejects.toThrow(message);
    }
  });
});

describe("fetching an operator's document", () => {
  const good = JSON.stringify(publishedDocument);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/moved") {
        response.writeHead(302, { location: "/.well-known/prizeledger.json" }).end();
      } else if (request.url === "/.well-known/prizeledger.json") {
        response.writeHead(200, { "content-type": "application/json" }).end(good);
      } else if (request.url === "/trickle") {
        // Headers, then a body that never ends.
        response.writeHead(200, { "content-type": "application/json" });
        response.write("{");
      }
      // Anything else is never answered.
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("reads the document the auditor named", async () => {
    const identity = await fetchLedgerIdentity(identityDocumentUrl(base));
    expect(identity.rpcUrl).toBe("https://rpc.op.example");
  });

  // The auditor trusts the address they named: a redirect could hand the trust to anyone.
  it("refuses a redirect", async () => {
    await expect(fetchLedgerIdentity(new URL(`${base}/moved`))).rejects.toMatchObject({
      code: "operator_unreachable",
      message: expect.stringContaining("redirect"),
    });
  });

  it("gives up on a server that does not answer, or never finishes its answer", async () => {
    for (const path of ["/silent", "/trickle"]) {
      await expect(
        fetchLedgerIdentity(new URL(`${base}${path}`), fetch, 200),
        path,
      ).rejects.toMatchObject({
        code: "operator_unreachable",
        message: expect.stringContaining("no answer within 0.2 s"),
      });
    }
  });
});
