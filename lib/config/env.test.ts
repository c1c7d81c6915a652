import { describe, expect, it } from "vitest";
import webPush from "web-push";
import { formatVerifierKey, parseVerifierKey } from "@/lib/tlog/note";
import { generateSignerKey } from "@/lib/tlog/sign";
import { COLLIDING_VKEYS } from "@/test/fixtures/colliding-vkeys";
import { ConfigError, logOrigin, logVerifierKey, parseEnv, witnessQuorum } from "./env";

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("parseEnv", () => {
  it("needs nothing for the embedded default", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ANCHOR_BATCH_SIZE).toBe(1000);
  });

  it("names each malformed variable", () => {
    expect(problems({ DATABASE_URL: "mysql://x", PORT: "eighty" })).toEqual([
      expect.stringContaining("PORT"),
      expect.stringContaining("DATABASE_URL must be a URL starting with postgres:"),
    ]);
    expect(
      problems({
        ANCHORER_KEY: "0x1234",
        LEDGER_RPC_URL: "http://node:8545",
        LEDGER_CONTRACT: "0x0000000000000000000000000000000000000001",
      }),
    ).toEqual([expect.stringContaining("ANCHORER_KEY must be a 0x-prefixed 32-byte private key")]);
  });

  it("takes a primary and its standby in DATABASE_URL, and refuses them without read-write", () => {
    const hosts = "postgres://u:p@db1:5432,db2:5432/prizeledger";
    expect(
      parseEnv({ DATABASE_URL: `${hosts}?target_session_attrs=read-write` }).DATABASE_URL,
    ).toBe(`${hosts}?target_session_attrs=read-write`);
    expect(problems({ DATABASE_URL: hosts })).toEqual([
      expect.stringContaining(
        "DATABASE_URL names several hosts: add target_session_attrs=read-write",
      ),
    ]);
  });

  it("requires the ledger node and contract together, and both for the anchorer's key", () => {
    expect(problems({ LEDGER_RPC_URL: "http://node:8545" })).toEqual([
      "LEDGER_CONTRACT is required when LEDGER_RPC_URL is set",
    ]);
    expect(problems({ ANCHORER_KEY: `0x${"11".repeat(32)}` })).toEqual([
      "LEDGER_RPC_URL is required when ANCHORER_KEY is set",
      "LEDGER_CONTRACT is required when ANCHORER_KEY is set",
    ]);
  });

  // npm run web reads the node (health) and names the contract (provisional receipts), but only
  // the worker anchors: the README gives web instances no anchorer key.
  it("takes a web instance's ledger settings without the anchorer's key", () => {
    const env = parseEnv({
      LEDGER_RPC_URL: "http://node:8545",
      LEDGER_CONTRACT: "0x0000000000000000000000000000000000000001",
    });
    expect(env.ANCHORER_KEY).toBeUndefined();
  });

  it("takes MAIL_CAPTURE as admins or public, and not beside SMTP_URL", () => {
    expect(parseEnv({ MAIL_CAPTURE: "admins" }).MAIL_CAPTURE).toBe("admins");
    expect(problems({ MAIL_CAPTURE: "1" })).toEqual(["MAIL_CAPTURE must be admins or public"]);
    expect(problems({ MAIL_CAPTURE: "admins", SMTP_URL: "smtp://mail.example:587" })).toEqual([
      expect.stringContaining("MAIL_CAPTURE must not be set with SMTP_URL"),
    ]);
  });

  it("takes LOG_LEVEL as one of pino's levels, info by default", () => {
    expect(parseEnv({}).LOG_LEVEL).toBe("info");
    expect(parseEnv({ LOG_LEVEL: "debug" }).LOG_LEVEL).toBe("debug");
    expect(problems({ LOG_LEVEL: "verbose" })).toEqual([
      "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    ]);
  });

  it("takes REQUEST_ID_HEADER as a header name only", () => {
    expect(parseEnv({ REQUEST_ID_HEADER: "x-request-id" }).REQUEST_ID_HEADER).toBe("x-request-id");
    expect(problems({ REQUEST_ID_HEADER: "x-request-id: 1" })).toEqual([
      "REQUEST_ID_HEADER must be a header name",
    ]);
  });

  it("reads the catalog's minimum and approval threshold as coin amounts", () => {
    expect(parseEnv({}).CATALOG_MIN_REDEMPTION_SC).toBe(5_000);
    expect(parseEnv({}).CATALOG_APPROVAL_THRESHOLD_SC).toBe(50_000);
    expect(parseEnv({ CATALOG_APPROVAL_THRESHOLD_SC: "12.5" }).CATALOG_APPROVAL_THRESHOLD_SC).toBe(
      1_250,
    );
    expect(problems({ CATALOG_MIN_REDEMPTION_SC: "-1" })).toHaveLength(1);
  });

  it("takes CLAIM_IP_RATE_LIMIT as a count, 0 for off, 120 by default", () => {
    expect(parseEnv({}).CLAIM_IP_RATE_LIMIT).toBe(120);
    expect(parseEnv({ CLAIM_IP_RATE_LIMIT: "0" }).CLAIM_IP_RATE_LIMIT).toBe(0);
    expect(parseEnv({ CLAIM_IP_RATE_LIMIT: "500" }).CLAIM_IP_RATE_LIMIT).toBe(500);
    expect(problems({ CLAIM_IP_RATE_LIMIT: "-1" })).toHaveLength(1);
    expect(problems({ CLAIM_IP_RATE_LIMIT: "lots" })).toHaveLength(1);
  });

  it("takes TRUSTED_PROXY_HOPS as digits from 0 (no proxy) to 10, 1 by default", () => {
    expect(parseEnv({}).TRUSTED_PROXY_HOPS).toBe(1);
    expect(parseEnv({ TRUSTED_PROXY_HOPS: "0" }).TRUSTED_PROXY_HOPS).toBe(0);
    expect(parseEnv({ TRUSTED_PROXY_HOPS: " 2 " }).TRUSTED_PROXY_HOPS).toBe(2);
    expect(parseEnv({ TRUSTED_PROXY_HOPS: "10" }).TRUSTED_PROXY_HOPS).toBe(10);
    for (const value of ["-1", "1.5", "11", "99999999999999999999", "1e0", "0x1", "one", "1,2"]) {
      expect(problems({ TRUSTED_PROXY_HOPS: value })).toEqual([
        "TRUSTED_PROXY_HOPS must be a whole number from 0 (no proxy) to 10",
      ]);
    }
  });

  it("takes a VAPID pair only when the public key is a P-256 point of the private key", () => {
    const pair = webPush.generateVAPIDKeys();
    const other = webPush.generateVAPIDKeys();
    expect(
      parseEnv({ VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey })
        .VAPID_PUBLIC_KEY,
    ).toBe(pair.publicKey);
    // 65 bytes of the right length and prefix, but not a point on the curve.
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString("base64url");
    expect(problems({ VAPID_PUBLIC_KEY: offCurve })).toEqual([
      expect.stringContaining("VAPID_PUBLIC_KEY must be a point on the P-256 curve"),
    ]);
    expect(
      problems({ VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: other.privateKey }),
    ).toEqual(["VAPID_PRIVATE_KEY is not the private key of VAPID_PUBLIC_KEY"]);
  });

  it("treats blank values as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", PORT: " " }).PORT).toBe(3000);
  });

  describe("the transparency log", () => {
    const origin = "prizes.example.com/log";
    const log = generateSignerKey(origin, 0x01);
    const witness = generateSignerKey("w1.example", 0x04);

    it("names the log after APP_URL's host and path unless LOG_ORIGIN says otherwise", () => {
      expect(logOrigin(parseEnv({}))).toBe("localhost:3000");
      expect(logOrigin(parseEnv({ APP_URL: "https://prizes.example.com/log/" }))).toBe(origin);
      expect(logOrigin(parseEnv({ LOG_ORIGIN: "x.example", APP_URL: "https://a.example" }))).toBe(
        "x.example",
      );
      expect(problems({ LOG_ORIGIN: "has space" })).toEqual([
        expect.stringContaining("LOG_ORIGIN must be a URL without its scheme"),
      ]);
    });

    it("publishes the signing key's verifier key, and refuses a key named after another origin", () => {
      const config = parseEnv({ APP_URL: `https://${origin}`, LOG_SIGNING_KEY: log.skey });
      expect(logVerifierKey(config)).toBe(log.vkey);
      expect(problems({ LOG_SIGNING_KEY: log.skey })).toEqual([
        `LOG_SIGNING_KEY is named "${origin}", but the log's origin is "localhost:3000"`,
      ]);
      expect(problems({ LOG_ORIGIN: origin, LOG_SIGNING_KEY: "PRIVATE+KEY+x" })).toEqual([
        expect.stringContaining("LOG_SIGNING_KEY"),
      ]);
    });

    it("refuses a verifier key that is not the signing key's, or a witness key as the log's", () => {
      const other = generateSignerKey(origin, 0x01);
      expect(
        problems({ LOG_ORIGIN: origin, LOG_SIGNING_KEY: log.skey, LOG_VERIFIER_KEY: other.vkey }),
      ).toEqual(["LOG_VERIFIER_KEY is not the verifier key of LOG_SIGNING_KEY"]);
      const cosigner = generateSignerKey(origin, 0x04);
      expect(problems({ LOG_ORIGIN: origin, LOG_VERIFIER_KEY: cosigner.vkey })).toEqual([
        "LOG_VERIFIER_KEY must be an Ed25519 key (type 0x01)",
      ]);
      expect(logVerifierKey(parseEnv({ LOG_ORIGIN: origin, LOG_VERIFIER_KEY: log.vkey }))).toBe(
        log.vkey,
      );
    });

    it("takes witnesses as a JSON list of cosignature keys and URLs, all of them by default", () => {
      const list = JSON.stringify([{ key: witness.vkey, url: "http://127.0.0.1:8602/" }]);
      const config = parseEnv({ LOG_WITNESSES: list });
      expect(config.LOG_WITNESSES).toEqual([{ key: witness.vkey, url: "http://127.0.0.1:8602" }]);
      expect(witnessQuorum(config)).toBe(1);
      expect(witnessQuorum(parseEnv({ LOG_WITNESSES: list, WITNESS_QUORUM: "0" }))).toBe(0);
      expect(problems({ LOG_WITNESSES: list, WITNESS_QUORUM: "2" })).toEqual([
        "WITNESS_QUORUM must be at most the number of LOG_WITNESSES (1)",
      ]);
    });

    it("says what is wrong with a witness list", () => {
      const entry = (key: string, url = "http://w.example") => JSON.stringify([{ key, url }]);
      expect(problems({ LOG_WITNESSES: "{" })).toEqual([
        expect.stringContaining("LOG_WITNESSES must be a JSON array"),
      ]);
      expect(problems({ LOG_WITNESSES: entry(log.vkey) })).toEqual([
        "LOG_WITNESSES entry 0: a witness key must be a cosignature/v1 key (type 0x04)",
      ]);
      expect(problems({ LOG_WITNESSES: entry(witness.vkey, "ftp://w.example") })).toEqual([
        'LOG_WITNESSES entry 0: "url" must be an http:// or https:// URL',
      ]);
      expect(problems({ LOG_WITNESSES: entry("w+1234abcd+AAAA") })).toEqual([
        "LOG_WITNESSES entry 0: unsupported key type 0x00 (expected 0x01 or 0x04)",
      ]);
      const twice = JSON.stringify([
        { key: witness.vkey, url: "http://a" },
        { key: witness.vkey, url: "http://b" },
      ]);
      expect(problems({ LOG_WITNESSES: twice })).toEqual([
        "LOG_WITNESSES entry 1: a witness is listed twice",
      ]);
      // The published identity holds 16 at most: a 17th would fail it later, at every request.
      const many = (n: number) =>
        JSON.stringify(
          Array.from({ length: n }, (_, i) => ({
            key: generateSignerKey(`w${i}.example`, 0x04).vkey,
            url: `http://w${i}.example`,
          })),
        );
      expect(problems({ LOG_WITNESSES: many(17) })).toEqual([
        "LOG_WITNESSES lists 17 witnesses; at most 16 are allowed",
      ]);
      expect(parseEnv({ LOG_WITNESSES: many(16) }).LOG_WITNESSES).toHaveLength(16);
      const ambiguous = JSON.stringify(COLLIDING_VKEYS.map((key) => ({ key, url: "http://w" })));
      expect(problems({ LOG_WITNESSES: ambiguous })).toEqual([
        "LOG_WITNESSES entry 1: ambiguous key witness.example+12462dc5: two trusted keys share this name and key id",
      ]);
      // A cosignature signs no name: one key under two names would count twice.
      const { publicKey, name } = parseVerifierKey(witness.vkey);
      const alias = formatVerifierKey("alias.example", 0x04, publicKey);
      const aliased = JSON.stringify(
        [witness.vkey, alias].map((key) => ({ key, url: "http://w" })),
      );
      expect(problems({ LOG_WITNESSES: aliased })).toEqual([
        `LOG_WITNESSES entry 1: the keys ${name} and alias.example are one public key under two names`,
      ]);
    });
  });
});
