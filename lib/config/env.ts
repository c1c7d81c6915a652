import "server-only";
import { createECDH } from "node:crypto";
import { z } from "zod";
import { databaseUrlProblem } from "@/lib/config/database-url";
import { p256PublicKey } from "@/lib/push/p256-key";
import {
  assertDistinctKeys,
  COSIGNATURE_V1,
  ED25519,
  isValidKeyName,
  parseVerifierKey,
  type VerifierKey,
} from "@/lib/tlog/note";
import { parseSignerKey, type SignerKey } from "@/lib/tlog/sign";
import { parseCoins } from "@/lib/wallet/model";

function isP256Point(base64url: string): boolean {
  try {
    p256PublicKey(Buffer.from(base64url, "base64url"));
    return true;
  } catch {
    return false;
  }
}

function vapidPairMatches(publicKey: string, privateKey: string): boolean {
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
    return ecdh.getPublicKey().equals(Buffer.from(publicKey, "base64url"));
  } catch {
    return false;
  }
}

/** 127.0.0.0/8 and ::1: only this machine can reach a listener there. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1";
}

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.join(" or ")}//`,
    )
    .optional();

/** A witness of the log: its cosignature verifier key and where it takes add-checkpoint. */
export type LogWitness = { key: string; url: string };

/** The ledger identity document lists at most this many (lib/ledger/identity.ts): more fails there. */
const MAX_WITNESSES = 16;

const witnessList = z
  .string()
  .trim()
  .transform((text, ctx): LogWitness[] => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('must be a JSON array such as [{ "key": "<vkey>", "url": "http://…" }]');
    }
    if (!Array.isArray(value)) return fail("must be a JSON array of { key, url }");
    if (value.length > MAX_WITNESSES) {
      return fail(`lists ${value.length} witnesses; at most ${MAX_WITNESSES} are allowed`);
    }
    const witnesses: LogWitness[] = [];
    const keys: VerifierKey[] = [];
    for (const [i, entry] of value.entries()) {
      const { key, url } = (entry ?? {}) as { key?: unknown; url?: unknown };
      if (typeof key !== "string" || typeof url !== "string") {
        return fail(`entry ${i} must have a string "key" and a string "url"`);
      }
      if (witnesses.some((w) => w.key === key))
        return fail(`entry ${i}: a witness is listed twice`);
      try {
        const parsedKey = parseVerifierKey(key);
        if (parsedKey.type !== COSIGNATURE_V1) {
          return fail(`entry ${i}: a witness key must be a cosignature/v1 key (type 0x04)`);
        }
        keys.push(parsedKey);
        assertDistinctKeys(keys);
      } catch (error) {
        return fail(`entry ${i}: ${(error as Error).message}`);
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return fail(`entry ${i}: "url" must be an http:// or https:// URL`);
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        return fail(`entry ${i}: "url" must be an http:// or https:// URL`);
      }
      witnesses.push({ key, url: url.replace(/\/+$/, "") });
    }
    return witnesses;
  });

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** More proxies than any real chain has (a CDN, its shield, a load balancer…). */
const MAX_PROXY_HOPS = 10;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** An amount of coins written as "50.00", read as minor units. */
const coins = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((text, ctx) => {
      const minor = parseCoins(text);
      if (minor === null) {
        ctx.addIssue({ code: "custom", message: 'must be an amount such as "50.00"' });
        return z.NEVER;
      }
      return minor;
    });

export const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** The address web instances listen on: `::` serves IPv6 and IPv4 where the host has IPv6. */
    LISTEN_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default("0.0.0.0"),
    PRIZELEDGER_DATA_DIR: z.string().min(1).default(".data"),
    /** One server, or a primary and its standbys (lib/config/database-url.ts). */
    DATABASE_URL: z
      .string()
      .trim()
      .min(1)
      .superRefine((value, ctx) => {
        const problem = databaseUrlProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    DATABASE_POOL_SIZE: positiveInt(10),
    /** Off for a pooler that cannot carry prepared statements across transactions. */
    DATABASE_PREPARED_STATEMENTS: z.stringbool({ error: "must be true or false" }).default(true),
    /** Web server processes per instance, sharing its port (each with its own pool). */
    WEB_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    LEDGER_RPC_URL: optionalUrl(["http:", "https:", "ws:", "wss:"]),
    LEDGER_PUBLIC_RPC_URL: optionalUrl(["http:", "https:"]),
    LEDGER_CONTRACT: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
      .optional(),
    ANCHORER_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte private key")
      .optional(),
    LEDGER_CHAIN_ID: z.coerce.number().int().positive().optional(),
    /** The block the ledger contract was deployed in, published for monitors reading its events. */
    LEDGER_DEPLOYMENT_BLOCK: z.coerce.number().int().nonnegative().optional(),
    RECEIPT_SIGNING_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte private key")
      .optional(),
    ANCHOR_DEADLINE_SECONDS: positiveInt(300),
    EMBEDDED_CHAIN_PORT: z.coerce.number().int().min(1024).max(65535).default(8545),
    CLAIM_RATE_LIMIT: positiveInt(10),
    /**
     * Claims one client address may make in a 10-second window (0: no per-address limit, for an
     * operator whose players share a few carrier-NAT addresses, or a CDN that hides them).
     */
    CLAIM_IP_RATE_LIMIT: z.coerce.number().int().nonnegative().default(120),
    /**
     * Seconds a web process answers a verified API token from memory instead of the database (0:
     * every request looks it up). Revocations and account changes evict it at once over
     * LISTEN/NOTIFY; this is how long a revoked token may still work should that channel be down.
     */
    API_TOKEN_CACHE_SECONDS: z.coerce.number().int().nonnegative().max(300).default(5),
    /** A new first-come drop of at least this many units gets a waiting room unless the admin says no. */
    WAITING_ROOM_THRESHOLD: positiveInt(1000),
    /**
     * Signs waiting-room admission tokens (HMAC-SHA256). Unset, a key derived from AUTH_SECRET:
     * every web instance must share it, as they share AUTH_SECRET.
     */
    QUEUE_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** The least a catalog redemption may cost, in SC ("50.00"). */
    CATALOG_MIN_REDEMPTION_SC: coins("50.00"),
    /** A catalog redemption above this many SC waits for an admin's approval ("500.00"). */
    CATALOG_APPROVAL_THRESHOLD_SC: coins("500.00"),
    /** Hours a lottery winner has, from the draw, to give a physical prize's shipping address. */
    LOTTERY_ACTION_HOURS: positiveInt(72),
    /** Sign-in (and API token) attempts per account in 5 minutes; three times as many per address. */
    SIGN_IN_RATE_LIMIT: positiveInt(10),
    /**
     * Proxies in front of the web instances that append to X-Forwarded-For; the client address
     * is the entry that many places from the right (what a client writes itself is further left).
     * 0: no proxy, the client is the connection's peer and X-Forwarded-For is ignored. Digits
     * only: `z.coerce` would take "0x1" or "1e0", and a typo must not pick another entry.
     */
    TRUSTED_PROXY_HOPS: z
      .string()
      .trim()
      .default("1")
      .refine((text) => /^\d{1,2}$/.test(text) && Number(text) <= MAX_PROXY_HOPS, {
        message: `must be a whole number from 0 (no proxy) to ${MAX_PROXY_HOPS}`,
      })
      .transform(Number),
    ANCHOR_BATCH_SIZE: positiveInt(1000),
    ANCHOR_MAX_AGE_MS: positiveInt(2000),
    ANCHOR_POLL_MS: positiveInt(250),
    ANCHOR_TX_TIMEOUT_MS: positiveInt(60_000),
    /**
     * The prize token (contracts/PrizeToken.sol) crypto prizes are paid in, on the ledger's node
     * (LEDGER_RPC_URL); `npm start` deploys one on the embedded chain.
     */
    PRIZE_TOKEN_CONTRACT: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
      .optional(),
    /** The treasury's key, the only private key of the payouts: it holds the tokens and pays. */
    TREASURY_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte private key")
      .optional(),
    /** Blocks on top of a payout's before it counts as paid (1: mined). */
    PAYOUT_CONFIRMATIONS: z.coerce.number().int().min(1).max(100).default(1),
    /** Payouts sent in one transaction at most. */
    PAYOUT_BATCH_SIZE: z.coerce.number().int().min(1).max(200).default(50),
    PAYOUT_POLL_MS: positiveInt(1000),
    /**
     * The site's public URL as Auth.js reads it: wallet links are signed for its host (EIP-4361
     * `domain`). Unset, APP_URL's host, else the request's.
     */
    AUTH_URL: optionalUrl(["http:", "https:"]),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** A MaxMind-format (.mmdb) country database: GeoLite2-Country, DB-IP Lite Country… */
    GEOIP_DATABASE: z.string().trim().min(1).optional(),
    /** A country header set by a trusted proxy or CDN in front of the app (cf-ipcountry…). */
    GEOIP_COUNTRY_HEADER: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]+$/, "must be a header name")
      .optional(),
    /** Unset: mail is only captured in mail_outbox and read at /dev/mailbox (see MAIL_CAPTURE). */
    SMTP_URL: optionalUrl(["smtp:", "smtps:"]),
    /**
     * Who may read captured mail at /dev/mailbox when SMTP_URL is unset. The mail holds
     * password-reset links, so `public` is only for npm start's demo, whose logins are published
     * anyway; `npm run web` refuses it, and without SMTP_URL refuses to start unless this is set.
     */
    MAIL_CAPTURE: z.enum(["admins", "public"], { error: "must be admins or public" }).optional(),
    MAIL_FROM: z
      .string()
      .trim()
      .regex(/@/, "must be an address, e.g. Prizeledger <no-reply@example.com>")
      .default("Prizeledger <no-reply@prizeledger.test>"),
    APP_URL: optionalUrl(["http:", "https:"]),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })
      .default("info"),
    /**
     * A request-id header set by a trusted proxy in front of the app (x-request-id…), taken as
     * the request's id when well formed. Unset, every request gets a fresh id: a proxy that
     * passes a client's header through unchanged would otherwise let clients pick their own.
     */
    /** Free Sweeps Coins a player may claim once per UTC day. */
    DAILY_SC: z
      .string()
      .trim()
      .default("1.00")
      .transform((text, ctx) => {
        const minor = parseCoins(text);
        if (minor === null || minor === 0) {
          ctx.addIssue({ code: "custom", message: 'must be an amount such as "1.00"' });
          return z.NEVER;
        }
        return minor;
      }),
    /** The payment provider's API; unset, the embedded test provider of `npm start`. */
    PAYMENT_PROVIDER_URL: optionalUrl(["http:", "https:"]),
    /** The HMAC secret the provider signs webhooks with (and the app calls it with). */
    PAYMENT_WEBHOOK_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    EMBEDDED_PAYMENTS_PORT: z.coerce.number().int().min(1024).max(65535).default(8600),
    /** A payment still pending after this long is expired: it stops counting against limits. */
    PAYMENT_PENDING_TTL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    /** The gift-card provider's API; unset, `npm start` runs the local one. */
    GIFTCARD_PROVIDER_URL: optionalUrl(["http:", "https:"]),
    /** What the app sends the gift-card provider as its bearer key. */
    GIFTCARD_PROVIDER_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    /** The secret the gift-card provider signs its webhooks with. */
    GIFTCARD_PROVIDER_WEBHOOK_SECRET: z
      .string()
      .min(32, "must be at least 32 characters")
      .optional(),
    EMBEDDED_GIFTCARD_PORT: z.coerce.number().int().min(1024).max(65535).default(8601),
    /** How many deliveries one worker runs at once. */
    DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    /**
     * Lets webhook endpoints be on loopback and private networks (tests, `npm start`'s demo).
     * Off, an endpoint whose name resolves to such an address is refused when it connects.
     */
    WEBHOOK_ALLOW_PRIVATE: z.stringbool({ error: "must be true or false" }).default(false),
    /**
     * Web Push (VAPID, RFC 8292): the application server's P-256 key pair, base64url as
     * `web-push generate-vapid-keys` prints it. The public key alone turns the browser control
     * on; the worker, which sends, needs both. Unset: push is off. `npm start` keeps a pair.
     */
    VAPID_PUBLIC_KEY: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{87}$/, "must be a base64url uncompressed P-256 public key (65 bytes)")
      .refine(isP256Point, "must be a point on the P-256 curve (a VAPID public key)")
      .optional(),
    VAPID_PRIVATE_KEY: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{43}$/, "must be a base64url P-256 private key (32 bytes)")
      .optional(),
    /** Who push services may contact about our pushes: a mailto: or https: URL. */
    VAPID_SUBJECT: optionalUrl(["mailto:", "https:"]),
    /**
     * Lets push endpoints be on loopback and private networks, and plain http on loopback (the
     * local push service of the tests). Off, an endpoint must be https on a public address.
     */
    PUSH_ALLOW_INSECURE: z.stringbool({ error: "must be true or false" }).default(false),
    REQUEST_ID_HEADER: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]+$/, "must be a header name")
      .optional(),
    /**
     * A web process's Prometheus listener (`GET /metrics`), apart from the port the load balancer
     * forwards so that it is never public; unset: none. With WEB_PROCESSES > 1 the n-th process
     * (from 0) listens on METRICS_PORT + n.
     */
    METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** The address the metrics listeners (web and worker) bind: loopback unless told otherwise. */
    METRICS_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default("127.0.0.1"),
    /** A bearer token `GET /metrics` must carry; required when METRICS_ADDRESS is not loopback. */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** The worker's `GET /health` and `GET /metrics` (on METRICS_ADDRESS); 0: none. */
    WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
    /**
     * The transparency log's name, the first line of every checkpoint (C2SP tlog-checkpoint).
     * Unset: APP_URL's host and path. Witnesses keep their state by it, so it must never change
     * for the life of a log: a new origin is a new log.
     */
    LOG_ORIGIN: z
      .string()
      .trim()
      .max(255)
      .refine(isValidKeyName, 'must be a URL without its scheme, with no spaces or "+"')
      .refine((origin) => !origin.endsWith("/"), "must not end with a slash")
      .optional(),
    /** The log's Ed25519 signer key (PRIVATE+KEY+<origin>+…): the worker's alone. */
    LOG_SIGNING_KEY: z.string().trim().optional(),
    /** The log's verifier key (<origin>+<id>+…), what web instances publish. */
    LOG_VERIFIER_KEY: z.string().trim().optional(),
    /** JSON: [{ "key": "<cosignature/v1 vkey>", "url": "http://…" }], the witnesses to submit to. */
    LOG_WITNESSES: witnessList.optional(),
    /** How many witnesses must cosign a checkpoint before it counts as witnessed (default: all). */
    WITNESS_QUORUM: z.coerce.number().int().nonnegative().optional(),
    /** `npm start`'s two witnesses listen here and on the next port. */
    EMBEDDED_WITNESS_PORT: z.coerce.number().int().min(1024).max(65534).default(8602),
  })
  .superRefine((env, ctx) => {
    if (env.METRICS_TOKEN === undefined && !isLoopback(env.METRICS_ADDRESS)) {
      ctx.addIssue({
        code: "custom",
        path: ["METRICS_TOKEN"],
        message: "is required when METRICS_ADDRESS is not a loopback address",
      });
    }
    if (env.SMTP_URL !== undefined && env.MAIL_CAPTURE !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["MAIL_CAPTURE"],
        message: "must not be set with SMTP_URL: mail is either sent or captured, not both",
      });
    }
    if (env.VAPID_PRIVATE_KEY !== undefined && env.VAPID_PUBLIC_KEY === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["VAPID_PUBLIC_KEY"],
        message: "is required when VAPID_PRIVATE_KEY is set",
      });
    }
    if (
      env.VAPID_PRIVATE_KEY !== undefined &&
      env.VAPID_PUBLIC_KEY !== undefined &&
      !vapidPairMatches(env.VAPID_PUBLIC_KEY, env.VAPID_PRIVATE_KEY)
    ) {
      // Browsers subscribe with the public key and push services check the signature against
      // it: a mismatched pair would have every push refused (403), one dead job at a time.
      ctx.addIssue({
        code: "custom",
        path: ["VAPID_PRIVATE_KEY"],
        message: "is not the private key of VAPID_PUBLIC_KEY",
      });
    }
    checkLogKeys(env, ctx);
    // The node and the contract go together, and the anchorer's key needs both. Only the worker
    // anchors: web instances face the internet and must be able to run without that key.
    const ledger = ["LEDGER_RPC_URL", "LEDGER_CONTRACT", "ANCHORER_KEY"] as const;
    const set = ledger.filter((name) => env[name] !== undefined);
    const needed = ledger.slice(0, 2).filter((name) => env[name] === undefined);
    if (set.length > 0 && needed.length > 0) {
      for (const name of needed) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `is required when ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set`,
        });
      }
    }
  });

export type Env = z.infer<typeof envSchema>;

type LogKeyInput = Pick<
  Env,
  "APP_URL" | "PORT" | "LOG_ORIGIN" | "LOG_SIGNING_KEY" | "LOG_VERIFIER_KEY" | "LOG_WITNESSES"
> & { WITNESS_QUORUM?: number };

/**
 * The log's keys: each must parse, be an Ed25519 note key (type 0x01) named after the origin
 * (C2SP tlog-checkpoint), and the two must be one pair, or the site would publish a key that
 * verifies none of the checkpoints the worker signs.
 */
function checkLogKeys(env: LogKeyInput, ctx: z.RefinementCtx): void {
  const origin = logOrigin(env);
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  // The log key's verifier key string, or undefined (and an issue) when it is unfit.
  const checked = (
    name: keyof LogKeyInput,
    parse: (text: string) => { type: number; name: string; vkey: string },
  ) => {
    const text = env[name];
    if (typeof text !== "string") return undefined;
    try {
      const key = parse(text);
      if (key.type !== ED25519) issue(name, "must be an Ed25519 key (type 0x01)");
      else if (key.name !== origin) {
        issue(name, `is named "${key.name}", but the log's origin is "${origin}"`);
      } else return key.vkey;
    } catch (error) {
      issue(name, (error as Error).message);
    }
    return undefined;
  };
  const signed = checked("LOG_SIGNING_KEY", parseSignerKey);
  const published = checked("LOG_VERIFIER_KEY", parseVerifierKey);
  if (signed !== undefined && published !== undefined && signed !== published) {
    issue("LOG_VERIFIER_KEY", "is not the verifier key of LOG_SIGNING_KEY");
  }
  const count = env.LOG_WITNESSES?.length ?? 0;
  if (env.WITNESS_QUORUM !== undefined && env.WITNESS_QUORUM > count) {
    issue("WITNESS_QUORUM", `must be at most the number of LOG_WITNESSES (${count})`);
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; blank values count as unset so `FOO=` does not trip validation. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.join(".") || "environment"} ${issue.message}`,
      ),
    );
  }
  return result.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/**
 * DATABASE_PREPARED_STATEMENTS on its own, read when a pool is made: reading it through env()
 * would fix every other variable at that moment, before a caller (a script, a test) sets them.
 */
export function databasePreparedStatements(
  source: Record<string, string | undefined> = process.env,
): boolean {
  const parsed = envSchema.shape.DATABASE_PREPARED_STATEMENTS.safeParse(
    source.DATABASE_PREPARED_STATEMENTS?.trim() || undefined,
  );
  if (!parsed.success) throw new Error("DATABASE_PREPARED_STATEMENTS must be true or false");
  return parsed.data;
}

/**
 * LOG_LEVEL on its own: the logger must keep working when another variable is invalid, if only
 * to report it. An invalid level is reported by the entry point's full parse; here it is `info`.
 */
export function logLevel(source: Record<string, string | undefined> = process.env): LogLevel {
  const parsed = envSchema.shape.LOG_LEVEL.safeParse(source.LOG_LEVEL?.trim() || undefined);
  return parsed.success ? parsed.data : "info";
}

/** The chain id of anvil's embedded node (scripts/lib/embedded-chain.ts). */
export const EMBEDDED_CHAIN_ID = 31337;

/**
 * The chain crypto prizes are paid on (the ledger's), which wallet links name: LEDGER_CHAIN_ID,
 * or with no node configured the embedded one's; undefined when a node is set without its id.
 */
export function payoutChainId(config: Env = env()): number | undefined {
  if (config.LEDGER_CHAIN_ID !== undefined) return config.LEDGER_CHAIN_ID;
  return config.LEDGER_RPC_URL === undefined ? EMBEDDED_CHAIN_ID : undefined;
}

/**
 * The log's origin: LOG_ORIGIN, or the site's public URL without its scheme and trailing slash
 * (C2SP tlog-tiles: the URL prefix the log is served under), e.g. "prizes.example.com".
 */
export function logOrigin(config: Pick<Env, "LOG_ORIGIN" | "APP_URL" | "PORT"> = env()): string {
  if (config.LOG_ORIGIN !== undefined) return config.LOG_ORIGIN;
  return appUrl(config).replace(/^[a-z]+:\/\//i, "");
}

/** The worker's signer key for checkpoints, or undefined where none is configured. */
export function logSigner(config: Env = env()): SignerKey | undefined {
  return config.LOG_SIGNING_KEY === undefined ? undefined : parseSignerKey(config.LOG_SIGNING_KEY);
}

/** The log's verifier key to publish: LOG_VERIFIER_KEY, or the signing key's own. */
export function logVerifierKey(config: Env = env()): string | undefined {
  return config.LOG_VERIFIER_KEY ?? logSigner(config)?.vkey;
}

/** How many witnesses make a checkpoint witnessed: WITNESS_QUORUM, or all of them. */
export function witnessQuorum(config: Env = env()): number {
  return config.WITNESS_QUORUM ?? config.LOG_WITNESSES?.length ?? 0;
}

/** The site's public base URL, without a trailing slash: links in mail point there. */
export function appUrl(config: Pick<Env, "APP_URL" | "PORT"> = env()): string {
  return (config.APP_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, "");
}

/**
 * The chain node a browser verifying a receipt talks to by default: the ledger identity publishes
 * it, /verify offers it, and the Content-Security-Policy lets pages reach it (and no other origin
 * but our own). LEDGER_PUBLIC_RPC_URL, or with no node configured at all the embedded one; never
 * LEDGER_RPC_URL, the worker's own node, which may carry an API key in its URL or speak WebSocket.
 */
export function publicRpcUrl(config: Env = env()): string | undefined {
  if (config.LEDGER_PUBLIC_RPC_URL !== undefined) return config.LEDGER_PUBLIC_RPC_URL;
  return config.LEDGER_RPC_URL === undefined
    ? `http://127.0.0.1:${config.EMBEDDED_CHAIN_PORT}`
    : undefined;
}
