import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  inet,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { signalKinds } from "@/lib/abuse/model";
import { emailTokenPurposes, roles } from "@/lib/auth/model";
import { loyaltyTiers } from "@/lib/claims/model";
import { deliveryProviders, deliveryStatuses } from "@/lib/delivery/model";
import { allocationModes, type EligibilityRules, unitStatuses } from "@/lib/drops/model";
import { fairSeedStatuses } from "@/lib/games/model";
import { checkpointStatuses, ledgerKinds } from "@/lib/ledger/model";
import { notificationEvents, notificationKinds } from "@/lib/notifications/model";
import { prizeKinds } from "@/lib/prizes/model";
import { prizeRecoveries, redemptionStatuses } from "@/lib/redemptions/model";
import { currencies, walletAccountKinds, walletTransactionKinds } from "@/lib/wallet/model";

const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value),
  fromDriver: (value) => new Uint8Array(value),
});

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
};

export const roleEnum = pgEnum("role", roles);
export const emailTokenPurposeEnum = pgEnum("email_token_purpose", emailTokenPurposes);
export const accountSignalKindEnum = pgEnum("account_signal_kind", signalKinds);
export const prizeKindEnum = pgEnum("prize_kind", prizeKinds);
export const ledgerKindEnum = pgEnum("ledger_kind", ledgerKinds);
export const loyaltyTierEnum = pgEnum("loyalty_tier", loyaltyTiers);
export const allocationModeEnum = pgEnum("allocation_mode", allocationModes);
export const unitStatusEnum = pgEnum("unit_status", unitStatuses);
export const redemptionStatusEnum = pgEnum("redemption_status", redemptionStatuses);
export const checkpointStatusEnum = pgEnum("checkpoint_status", checkpointStatuses);
export const currencyEnum = pgEnum("currency", currencies);
export const walletAccountKindEnum = pgEnum("wallet_account_kind", walletAccountKinds);
export const walletTransactionKindEnum = pgEnum("wallet_transaction_kind", walletTransactionKinds);
export const fairSeedStatusEnum = pgEnum("fair_seed_status", fairSeedStatuses);
export const deliveryStatusEnum = pgEnum("delivery_status", deliveryStatuses);
export const deliveryProviderEnum = pgEnum("delivery_provider", deliveryProviders);
export const notificationKindEnum = pgEnum("notification_kind", notificationKinds);
export const prizeRecoveryEnum = pgEnum("prize_recovery", prizeRecoveries);
export const notificationEventEnum = pgEnum("notification_event", notificationEvents);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: roleEnum("role").notNull().default("player"),
    displayName: text("display_name").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    /** ISO 3166-1 alpha-2 country the player declared. */
    region: text("region"),
    loyaltyTier: loyaltyTierEnum("loyalty_tier").notNull().default("bronze"),
    flaggedAt: timestamp("flagged_at", { withTimezone: true }),
    flaggedReason: text("flagged_reason"),
    /** A suspended account has no session and no API token: it cannot sign in at all. */
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    suspendedReason: text("suspended_reason"),
    /** When the player declared being 18 or older (at sign-up). */
    adultDeclaredAt: timestamp("adult_declared_at", { withTimezone: true }),
    /** Bumped to end every session at once (sign-out everywhere, password reset, suspension). */
    sessionVersion: integer("session_version").notNull().default(0),
    /** TOTP secret, encrypted like redemption codes; enabled once a first code was confirmed. */
    totpSecret: bytea("totp_secret"),
    totpKeyId: text("totp_key_id"),
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
    /** The 30-second step of the last accepted code: a code is accepted once, and never an older one. */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    /** Sign-in lockout: consecutive failures and the moment the next attempt is allowed. */
    failedSignIns: integer("failed_sign_ins").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    /** Accounts linked by a shared device, address or payout detail share a group (union-find root). */
    accountGroupId: uuid("account_group_id"),
    /** The identity the player declared before redeeming Sweeps Coins. */
    legalName: text("legal_name"),
    birthDate: text("birth_date"),
    postalAddress: jsonb("postal_address").$type<Record<string, string>>(),
    identityDeclaredAt: timestamp("identity_declared_at", { withTimezone: true }),
    /** Remind the player after this many minutes of play in one session (null: never). */
    sessionReminderMinutes: smallint("session_reminder_minutes"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    index().on(t.accountGroupId),
    // The few flagged accounts, found without reading every user (post-drop report, review).
    index("users_flagged_idx").on(t.flaggedAt).where(sql`${t.flaggedAt} is not null`),
  ],
);
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: bytea("token_hash").notNull(),
    name: text("name").notNull(),
    ...timestamps,
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index().on(t.userId)],
);
export type ApiToken = typeof apiTokens.$inferSelect;

export const prizes = pgTable(
  "prizes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    kind: prizeKindEnum("kind").notNull(),
    valueCents: bigint("value_cents", { mode: "number" }).notNull(),
    quantity: integer("quantity").notNull(),
    /** Shown to players with the prize. */
    description: text("description"),
    /** Crypto prizes: how many tokens of which symbol a unit pays out. */
    tokenAmount: numeric("token_amount", { precision: 38, scale: 18 }),
    tokenSymbol: text("token_symbol"),
    /**
     * How its units are delivered (lib/delivery/model.ts); null: by kind (gift cards from the
     * imported pool, crypto on chain, physical by parcel).
     */
    deliveryProvider: deliveryProviderEnum("delivery_provider"),
    /** The gift-card provider's product (brand) ordered for each unit, e.g. "amazon-us". */
    providerProduct: text("provider_product"),
    /** A retired prize goes into no new drop; drops that have it keep it. */
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("prizes_value_nonnegative", sql`${t.valueCents} >= 0`),
    check("prizes_quantity_nonnegative", sql`${t.quantity} >= 0`),
  ],
);
export type Prize = typeof prizes.$inferSelect;
export type NewPrize = typeof prizes.$inferInsert;

export const drops = pgTable(
  "drops",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    title: text("title").notNull(),
    /** Total units over all pools, fixed when the drop is created. */
    units: integer("units").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    pausedAt: timestamp("paused_at", { withTimezone: true }),
    /** Set when an admin ended the drop before its scheduled end (endsAt then moved to it). */
    endedEarlyAt: timestamp("ended_early_at", { withTimezone: true }),
    description: text("description"),
    perPlayerLimit: smallint("per_player_limit").notNull().default(1),
    allocation: allocationModeEnum("allocation").notNull().default("first_come"),
    eligibility: jsonb("eligibility").$type<EligibilityRules>().notNull().default({}),
    /** Lottery: SHA-256 of the secret seed, published before the start. */
    seedHash: bytea("seed_hash"),
    /** Lottery: the seed itself, revealed after the draw. */
    seed: bytea("seed"),
    drawnAt: timestamp("drawn_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("drops_units_positive", sql`${t.units} > 0`),
    check("drops_window_ordered", sql`${t.endsAt} > ${t.startsAt}`),
    check("drops_limit_in_range", sql`${t.perPlayerLimit} between 1 and 100`),
    index().on(t.endsAt),
  ],
);

/** A drop's units of one prize; a pool with a minimum tier is reserved for players of that tier. */
export const dropPools = pgTable(
  "drop_pools",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    dropId: uuid("drop_id")
      .notNull()
      .references(() => drops.id),
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    units: integer("units").notNull(),
    minTier: loyaltyTierEnum("min_tier").notNull().default("bronze"),
    position: smallint("position").notNull().default(0),
  },
  (t) => [check("drop_pools_units_positive", sql`${t.units} > 0`), index().on(t.dropId)],
);
export type DropPool = typeof dropPools.$inferSelect;

/**
 * One row per unit: concurrent claims take different rows (FOR UPDATE SKIP LOCKED) instead of
 * queueing on one stock counter.
 */
export const dropUnits = pgTable(
  "drop_units",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    dropId: uuid("drop_id").notNull(),
    poolId: uuid("pool_id")
      .notNull()
      .references(() => dropPools.id),
    prizeId: uuid("prize_id").notNull(),
    status: unitStatusEnum("status").notNull().default("available"),
  },
  (t) => [
    index("drop_units_available_idx")
      .on(t.dropId, t.poolId, t.id)
      .where(sql`${t.status} = 'available'`),
  ],
);
export type Drop = typeof drops.$inferSelect;
export type NewDrop = typeof drops.$inferInsert;

export const redemptions = pgTable(
  "redemptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The drop it was claimed in; null for a catalog redemption or a prize won in a round. */
    dropId: uuid("drop_id").references(() => drops.id),
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    /** The drop unit it holds; null outside drops (catalog stock is a counter). */
    unitId: bigint("unit_id", { mode: "number" }),
    /** Bought with Sweeps Coins from this catalog item, or won in a round from its stock. */
    catalogItemId: uuid("catalog_item_id"),
    /** Won in this game round. */
    roundId: uuid("round_id"),
    /**
     * Catalog redemptions: the SC paid, in minor units (refunded once if rejected). Round prizes:
     * the item's price when won, which decides whether it waits for approval.
     */
    priceSc: bigint("price_sc", { mode: "number" }),
    /** An admin's approval of a redemption above the threshold, or the rejection's reason. */
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    rejectionReason: text("rejection_reason"),
    /** 1..perPlayerLimit: the player's n-th unit of this drop. */
    claimSeq: smallint("claim_seq").notNull().default(1),
    status: redemptionStatusEnum("status").notNull().default("fulfilled"),
    /** For prizes that need the player to act (confirm a shipping address): act by then. */
    actionDeadline: timestamp("action_deadline", { withTimezone: true }),
    shippingAddress: jsonb("shipping_address").$type<Record<string, string>>(),
    /** The redemption code, AES-256-GCM encrypted; only its owner sees it decrypted. */
    codeCiphertext: bytea("code_ciphertext").notNull(),
    codeKeyId: text("code_key_id").notNull(),
    playerSalt: bytea("player_salt").notNull(),
    ...timestamps,
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    /** An admin's reversal: the unit went back to stock and a reversal leaf to the ledger. */
    reversedAt: timestamp("reversed_at", { withTimezone: true }),
    reversedBy: uuid("reversed_by").references(() => users.id),
    reversalReason: text("reversal_reason"),
    /** A reversed redemption's prize: back in stock, being cancelled at its provider, or gone. */
    prizeRecovery: prizeRecoveryEnum("prize_recovery"),
    /** The player's declared region when claiming (written with the claim): analytics count by it. */
    region: text("region"),
  },
  (t) => [
    // The per-player limit: the database, not the application, is the last word.
    uniqueIndex("redemptions_drop_player_seq_key").on(t.dropId, t.playerId, t.claimSeq),
    // A unit is held by one live redemption; an expired or reversed one gave it back. (The
    // predicate reads reversed_at, not the status: the migration adding 'reversed' cannot use it.)
    uniqueIndex("redemptions_unit_key")
      .on(t.unitId)
      .where(sql`${t.status} <> 'expired' and ${t.reversedAt} is null`),
    index().on(t.playerId, t.createdAt),
    index().on(t.dropId, t.createdAt),
    index().on(t.prizeId, t.createdAt),
    index().on(t.status, t.createdAt),
    // The post-drop report's delivery status counts, read from the index alone.
    index().on(t.dropId, t.status),
    // A drop's unit, or a catalog item's stock: bought with SC, or won in a round (which names
    // the item it took; round prizes before migration 0015 name none).
    check(
      "redemptions_has_origin",
      sql`num_nonnulls(${t.dropId}, coalesce(${t.catalogItemId}, ${t.roundId})) = 1`,
    ),
    check("redemptions_drop_has_unit", sql`(${t.dropId} is null) = (${t.unitId} is null)`),
    index("redemptions_round_idx").on(t.roundId).where(sql`${t.roundId} is not null`),
    index("redemptions_catalog_idx")
      .on(t.catalogItemId, t.createdAt)
      .where(sql`${t.catalogItemId} is not null`),
    index("redemptions_awaiting_idx")
      .on(t.actionDeadline)
      .where(sql`${t.status} = 'awaiting_action'`),
  ],
);
export type Redemption = typeof redemptions.$inferSelect;

/** The ledger outbox and the log itself: rows arrive unsequenced; the sequencer assigns leafIndex. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: ledgerKindEnum("kind").notNull(),
    /**
     * What the entry is about: a redemption (and its reversal or expiry), a round, a seed or a
     * waiting room's draw.
     */
    redemptionId: uuid("redemption_id").references(() => redemptions.id),
    roundId: uuid("round_id"),
    fairSeedId: uuid("fair_seed_id"),
    /** A waiting room's draw: one per drop (lib/queue/draw.ts). */
    queueDropId: uuid("queue_drop_id"),
    leafData: bytea("leaf_data").notNull(),
    leafIndex: bigint("leaf_index", { mode: "number" }),
    ...timestamps,
    sequencedAt: timestamp("sequenced_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("ledger_entries_leaf_index_key").on(t.leafIndex),
    index("ledger_entries_unsequenced_idx").on(t.id).where(sql`${t.leafIndex} IS NULL`),
    index().on(t.redemptionId),
    index("ledger_entries_round_idx").on(t.roundId).where(sql`${t.roundId} is not null`),
    index("ledger_entries_seed_idx").on(t.fairSeedId).where(sql`${t.fairSeedId} is not null`),
    uniqueIndex("ledger_entries_queue_drop_key")
      .on(t.queueDropId)
      .where(sql`${t.queueDropId} is not null`),
    check(
      "ledger_entries_one_subject",
      sql`num_nonnulls(${t.redemptionId}, ${t.roundId}, ${t.fairSeedId}, ${t.queueDropId}) = 1`,
    ),
  ],
);
export type LedgerEntry = typeof ledgerEntries.$inferSelect;

/** Hashes of the perfect, aligned subtrees of the log: level 0 are leaf hashes. */
export const ledgerNodes = pgTable(
  "ledger_nodes",
  {
    level: smallint("level").notNull(),
    index: bigint("idx", { mode: "number" }).notNull(),
    hash: bytea("hash").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.level, t.index] }),
    // /ledger's search finds a leaf by its hash: without this, anyone could make it scan the log.
    index("ledger_nodes_leaf_hash_idx").on(t.hash).where(sql`${t.level} = 0`),
  ],
);

export const checkpoints = pgTable(
  "checkpoints",
  {
    treeSize: bigint("tree_size", { mode: "number" }).primaryKey(),
    rootHash: bytea("root_hash").notNull(),
    status: checkpointStatusEnum("status").notNull().default("pending"),
    chainId: bigint("chain_id", { mode: "number" }),
    contract: text("contract"),
    txHash: text("tx_hash"),
    blockNumber: bigint("block_number", { mode: "number" }),
    blockTime: bigint("block_time", { mode: "number" }),
    ...timestamps,
    anchoredAt: timestamp("anchored_at", { withTimezone: true }),
    /**
     * Entries this checkpoint was the first to anchor whose provisional receipts promised an
     * earlier time than its block's: counted once when it is anchored, so that the dashboard
     * never scans the log for broken promises.
     */
    missedDeadlines: integer("missed_deadlines").notNull().default(0),
    /**
     * The checkpoint as a C2SP signed note (tlog-checkpoint text, a blank line, the log key's
     * signature line), written when it is anchored: the log signs only the size and root the
     * contract holds. Null until then, and where no log key is configured.
     */
    note: text("note"),
  },
  (t) => [
    index().on(t.treeSize).where(sql`${t.missedDeadlines} > 0`),
    // /ledger's search by anchoring transaction.
    index("checkpoints_tx_hash_idx")
      .on(sql`lower(${t.txHash})`)
      .where(sql`${t.status} = 'anchored'`),
  ],
);
export type Checkpoint = typeof checkpoints.$inferSelect;

/**
 * Witnesses' cosignatures (C2SP tlog-cosignature) of a signed checkpoint, as the note signature
 * line each witness returned. A witness is named by its verifier key, so a renamed or re-keyed
 * witness is another witness.
 */
export const checkpointCosignatures = pgTable(
  "checkpoint_cosignatures",
  {
    treeSize: bigint("tree_size", { mode: "number" })
      .notNull()
      .references(() => checkpoints.treeSize, { onDelete: "cascade" }),
    /** The witness's verifier key string (name+keyid+base64), as configured in LOG_WITNESSES. */
    witnessKey: text("witness_key").notNull(),
    /** The whole "— name base64" line, with its newline, to append to the note. */
    line: text("line").notNull(),
    /** The time the witness put in its cosignature (POSIX seconds). */
    cosignedAt: bigint("cosigned_at", { mode: "number" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.treeSize, t.witnessKey] })],
);

/**
 * The newest tree size each witness has cosigned for this log, as its answers said: the `old`
 * size of the next add-checkpoint request to it (C2SP tlog-witness).
 */
export const logWitnessState = pgTable("log_witness_state", {
  witnessKey: text("witness_key").primaryKey(),
  treeSize: bigint("tree_size", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id").references(() => users.id),
    action: text("action").notNull(),
    subject: text("subject"),
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    data: jsonb("data").$type<Record<string, unknown>>(),
    /** The API token the action was taken with, if any. */
    tokenId: uuid("token_id"),
    /** The id of the request it happened in (its log lines carry it too); null for the worker's. */
    requestId: text("request_id"),
  },
  (t) => [index().on(t.actorId, t.at), index().on(t.action, t.at), index().on(t.at)],
);
export type AuditEvent = typeof auditEvents.$inferSelect;

/** One-time links sent by email (verification, password reset); only their SHA-256 is kept. */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: emailTokenPurposeEnum("purpose").notNull(),
    tokenHash: bytea("token_hash").notNull(),
    ...timestamps,
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("email_tokens_hash_key").on(t.tokenHash), index().on(t.userId)],
);
export type EmailToken = typeof emailTokens.$inferSelect;

/** Two-factor recovery codes, each usable once; stored hashed. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: bytea("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** Mail as sent: the development mailbox reads it when no SMTP server is configured. */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    ...timestamps,
    sentAt: timestamp("sent_at", { withTimezone: true }),
    error: text("error"),
  },
  (t) => [index().on(t.to, t.createdAt)],
);
export type MailMessage = typeof mailOutbox.$inferSelect;

/** What links accounts: a device cookie, an address, payout details; values kept as keyed hashes. */
export const accountSignals = pgTable(
  "account_signals",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: accountSignalKindEnum("kind").notNull(),
    valueHash: bytea("value_hash").notNull(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.kind, t.valueHash] }),
    index().on(t.kind, t.valueHash),
  ],
);

/** Regions (ISO 3166-1 alpha-2) where no one may claim, kept by admins. */
export const excludedRegions = pgTable("excluded_regions", {
  code: text("code").primaryKey(),
  note: text("note"),
  /** Only Sweeps Coins play and redemption are refused there; drops and GC play stay open. */
  sweepsOnly: boolean("sweeps_only").notNull().default(false),
  createdBy: uuid("created_by").references(() => users.id),
  ...timestamps,
});

/** Gift-card codes imported by admins, encrypted at rest; a claim takes one. */
export const giftCodes = pgTable(
  "gift_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    ciphertext: bytea("ciphertext").notNull(),
    keyId: text("key_id").notNull(),
    /** HMAC of the normalised code: finds duplicates without decrypting. */
    fingerprint: bytea("fingerprint").notNull(),
    redemptionId: uuid("redemption_id"),
    /** Set when the code could not be decrypted (its key left the keyring): never given out. */
    quarantinedAt: timestamp("quarantined_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("gift_codes_fingerprint_key").on(t.prizeId, t.fingerprint),
    index("gift_codes_unused_idx").on(t.prizeId, t.id).where(sql`${t.redemptionId} IS NULL`),
    // A drop's remaining units are capped at the codes its pool can still give, counted on every
    // drop read: from the index alone, however large the pool.
    index("gift_codes_givable_idx")
      .on(t.prizeId)
      .where(sql`${t.redemptionId} IS NULL AND ${t.quarantinedAt} IS NULL`),
  ],
);

/** The first answer to a claim, replayed for the same player and key (24 hours at least). */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    playerId: uuid("player_id").notNull(),
    key: text("key").notNull(),
    requestHash: bytea("request_hash").notNull(),
    status: smallint("status").notNull(),
    response: jsonb("response").$type<Record<string, unknown>>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.playerId, t.key] }), index().on(t.createdAt)],
);

/** Fixed-window counters for rate limits, shared by every web instance. */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index().on(t.windowStart)],
);

/** Lottery entries: one per player per drop, weighted by the player's tier at entry. */
export const lotteryEntries = pgTable(
  "lottery_entries",
  {
    dropId: uuid("drop_id")
      .notNull()
      .references(() => drops.id),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    weight: smallint("weight").notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.dropId, t.playerId] })],
);

/**
 * A lottery win to tell its winner by mail: written by the draw in its own transaction, so no
 * win goes untold if the process stops after the draw; the worker mails it and sets mailedAt.
 */
export const lotteryWinNotices = pgTable(
  "lottery_win_notices",
  {
    redemptionId: uuid("redemption_id")
      .primaryKey()
      .references(() => redemptions.id),
    ...timestamps,
    mailedAt: timestamp("mailed_at", { withTimezone: true }),
    /** Sends tried, counted when a worker takes the notice (before it sends). */
    attempts: integer("attempts").notNull().default(0),
    /** Why the last attempt failed, or why the notice was abandoned. */
    lastError: text("last_error"),
    /** The notice is not tried before then: the lease of a send under way, or the backoff. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** Given up: refused for good, out of attempts, or its prize expired or was reversed. */
    abandonedAt: timestamp("abandoned_at", { withTimezone: true }),
  },
  (t) => [
    index("lottery_win_notices_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.mailedAt} is null and ${t.abandonedAt} is null`),
  ],
);

/**
 * A drop's waiting room (docs/waiting-room.md): its settings, the shuffle's seed (committed by
 * its hash from creation, revealed once shuffled) and the admission job's progress. The row is
 * the lock the admission job takes (FOR UPDATE SKIP LOCKED), so positions are given once.
 */
export const dropQueues = pgTable(
  "drop_queues",
  {
    dropId: uuid("drop_id")
      .primaryKey()
      .references(() => drops.id),
    enabled: boolean("enabled").notNull(),
    preQueueMinutes: integer("pre_queue_minutes").notNull(),
    admissionRatePerMinute: integer("admission_rate_per_minute").notNull(),
    admissionTtlSeconds: integer("admission_ttl_seconds").notNull(),
    /** 32 secret bytes; public (with the order) once shuffledAt is set. */
    seed: bytea("seed").notNull(),
    seedHash: bytea("seed_hash").notNull(),
    shuffledAt: timestamp("shuffled_at", { withTimezone: true }),
    /** The last position given: the pre-queue's size after the shuffle, then later arrivals. */
    lastPosition: integer("last_position").notNull().default(0),
    /** Places not given a position yet, as the admission job last counted them. */
    unplaced: integer("unplaced").notNull().default(0),
    /** Positions up to this one are admitted. */
    admittedThrough: integer("admitted_through").notNull().default(0),
    /** When the admissions so far were due: the next batch is the rate times the time since. */
    admittedUntil: timestamp("admitted_until", { withTimezone: true }),
    /** The drop ended: nobody joins or is admitted any more. */
    closedAt: timestamp("closed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("drop_queues_rate_positive", sql`${t.admissionRatePerMinute} > 0`),
    check("drop_queues_ttl_positive", sql`${t.admissionTtlSeconds} > 0`),
    check("drop_queues_lead_not_negative", sql`${t.preQueueMinutes} >= 0`),
    check("drop_queues_admitted_given", sql`${t.admittedThrough} <= ${t.lastPosition}`),
  ],
);
export type DropQueue = typeof dropQueues.$inferSelect;

/**
 * A place in a drop's waiting room. One live place per account (a place whose admission
 * expired is superseded when its player joins again, at the back); every place stays, so the
 * published list can be replayed. `id` is the arrival order.
 */
export const queuePlaces = pgTable(
  "queue_places",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    dropId: uuid("drop_id")
      .notNull()
      .references(() => dropQueues.dropId),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    /** Hex SHA-256 commitment to (drop, player, salt): public, unlinkable without the salt. */
    pseudonym: text("pseudonym").notNull().unique(),
    salt: bytea("salt").notNull(),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull().defaultNow(),
    /** 1-based place in the order; null until the shuffle (pre-queue) or the next admission pass. */
    position: integer("position"),
    admittedAt: timestamp("admitted_at", { withTimezone: true }),
    admissionExpiresAt: timestamp("admission_expires_at", { withTimezone: true }),
    /** Its player joined again after the admission expired: this place is history. */
    supersededAt: timestamp("superseded_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("queue_places_live_idx")
      .on(t.dropId, t.playerId)
      .where(sql`${t.supersededAt} is null`),
    uniqueIndex("queue_places_position_idx").on(t.dropId, t.position),
    index("queue_places_unplaced_idx")
      .on(t.dropId, t.joinedAt, t.pseudonym)
      .where(sql`${t.position} is null`),
    // The public proof lists every place in this order: read from the index, not sorted.
    index("queue_places_entries_idx").on(t.dropId, t.joinedAt, sql`${t.pseudonym} collate "C"`),
  ],
);

/*
 * Analytics rollups: the dashboard and post-drop report read these instead of scanning
 * redemptions and the audit trail. Claim answers and latencies are written by the claim engine,
 * one statement per batch, which also adds its new redemptions to the held counts; expiries and
 * reversals move those by a trigger on redemption updates (migration 0004). Bulk loads call
 * rebuildAnalyticsRollups(), which recomputes them from the raw tables.
 */

/** Claim answers per drop, second and reason ("claimed" or the refusal reason). */
export const claimOutcomeSeconds = pgTable(
  "claim_outcome_seconds",
  {
    dropId: uuid("drop_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    reason: text("reason").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.dropId, t.at, t.reason] }), index().on(t.at)],
);

/** The same per minute: day-long windows read at most 1,440 buckets per drop and reason. */
export const claimOutcomeMinutes = pgTable(
  "claim_outcome_minutes",
  {
    dropId: uuid("drop_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    reason: text("reason").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.dropId, t.at, t.reason] }), index().on(t.at)],
);

/**
 * Claim latency histogram per second: bucket b counts answers that took [2^(b/4), 2^((b+1)/4))
 * milliseconds (bucket 0 also takes anything under 1 ms), about 19% wide.
 */
export const claimLatencySeconds = pgTable(
  "claim_latency_seconds",
  {
    at: timestamp("at", { withTimezone: true }).notNull(),
    bucket: smallint("bucket").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.at, t.bucket] })],
);

/** Redemptions held now (neither expired nor reversed) by prize, region and UTC hour of day. */
export const redemptionCounts = pgTable(
  "redemption_counts",
  {
    prizeId: uuid("prize_id").notNull(),
    region: text("region").notNull(),
    hour: smallint("hour").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.prizeId, t.region, t.hour] })],
);

/*
 * Coins: a double-entry journal. A transaction's postings sum to zero per currency, and go in
 * with one INSERT: a statement trigger (migration 0013) refuses any that do not, and applies them
 * to the accounts' balances, so that a balance is the sum of its postings by construction.
 * Player accounts cannot go below zero (a CHECK); postings can be neither changed nor deleted.
 */

/** A balance in one currency: a player's wallet, or a shard of a counterparty account. */
export const walletAccounts = pgTable(
  "wallet_accounts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: walletAccountKindEnum("kind").notNull(),
    currency: currencyEnum("currency").notNull(),
    userId: uuid("user_id").references(() => users.id),
    /**
     * Counterparty accounts are kept in shards that writers pick at random, so that concurrent
     * rounds do not queue on one house row; the account's balance is the sum of its shards.
     */
    shard: smallint("shard").notNull().default(0),
    balance: bigint("balance", { mode: "number" }).notNull().default(0),
    /** SC still to be wagered before the balance is redeemable: the sum of postings' playthrough. */
    playthroughDue: bigint("playthrough_due", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    check("wallet_accounts_owner", sql`(${t.kind} = 'player') = (${t.userId} is not null)`),
    check(
      "wallet_accounts_player_nonnegative",
      sql`${t.kind} <> 'player' or (${t.balance} >= 0 and ${t.playthroughDue} between 0 and ${t.balance})`,
    ),
    uniqueIndex("wallet_accounts_player_key")
      .on(t.userId, t.currency)
      .where(sql`${t.kind} = 'player'`),
    uniqueIndex("wallet_accounts_system_key")
      .on(t.kind, t.currency, t.shard)
      .where(sql`${t.kind} <> 'player'`),
  ],
);
export type WalletAccount = typeof walletAccounts.$inferSelect;

/** One movement of coins; the same idempotency key moves coins once. */
export const walletTransactions = pgTable(
  "wallet_transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: walletTransactionKindEnum("kind").notNull(),
    /** Namespaced by its writer ("round:<player>:<key>", "daily:<player>:<day>", …). */
    idempotencyKey: text("idempotency_key").notNull(),
    /** The player whose wallet moved, and their declared region then (the regulator's report). */
    userId: uuid("user_id").references(() => users.id),
    region: text("region"),
    /** Who did it, when not the player: the admin of a grant, approval or rejection. */
    actorId: uuid("actor_id").references(() => users.id),
    reason: text("reason"),
    /** What it belongs to, when anything: a round, a payment, a redemption, a mail-in code. */
    subjectId: uuid("subject_id"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("wallet_transactions_key").on(t.idempotencyKey),
    index().on(t.userId, t.createdAt),
    index().on(t.kind, t.createdAt),
    index().on(t.createdAt),
  ],
);
export type WalletTransaction = typeof walletTransactions.$inferSelect;

export const walletPostings = pgTable(
  "wallet_postings",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => walletTransactions.id),
    accountId: bigint("account_id", { mode: "number" })
      .notNull()
      .references(() => walletAccounts.id),
    currency: currencyEnum("currency").notNull(),
    /** Signed, in minor units: a credit to the account is positive. */
    amount: bigint("amount", { mode: "number" }).notNull(),
    /** The change to the account's playthroughDue (SC granted free adds, SC wagered takes off). */
    playthrough: bigint("playthrough", { mode: "number" }).notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check("wallet_postings_moves", sql`${t.amount} <> 0 or ${t.playthrough} <> 0`),
    index().on(t.accountId, t.id),
    index().on(t.transactionId),
  ],
);
export type WalletPosting = typeof walletPostings.$inferSelect;

/** GC packages for sale; each comes with free SC. */
export const coinPackages = pgTable(
  "coin_packages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    priceCents: bigint("price_cents", { mode: "number" }).notNull(),
    gc: bigint("gc", { mode: "number" }).notNull(),
    bonusSc: bigint("bonus_sc", { mode: "number" }).notNull().default(0),
    position: smallint("position").notNull().default(0),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("coin_packages_price_positive", sql`${t.priceCents} > 0`),
    check("coin_packages_gc_positive", sql`${t.gc} > 0`),
    check("coin_packages_bonus_nonnegative", sql`${t.bonusSc} >= 0`),
  ],
);
export type CoinPackage = typeof coinPackages.$inferSelect;

/** A package bought through the payment provider: credited once, when its webhook confirms it. */
export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    packageId: uuid("package_id")
      .notNull()
      .references(() => coinPackages.id),
    idempotencyKey: text("idempotency_key").notNull(),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    gc: bigint("gc", { mode: "number" }).notNull(),
    bonusSc: bigint("bonus_sc", { mode: "number" }).notNull(),
    provider: text("provider").notNull(),
    providerRef: text("provider_ref"),
    /** pending, then succeeded, failed, expired, needs_review or refunded (docs/wallet.md). */
    status: text("status").notNull().default("pending"),
    /** Why it was not credited, or held for review (declined, what the processor confirmed). */
    failureReason: text("failure_reason"),
    region: text("region"),
    /** Credited without its free SC: the player's region was not open to Sweeps Coins. */
    bonusWithheld: boolean("bonus_withheld").notNull().default(false),
    ...timestamps,
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** An admin's resolution of a payment under review: when, who, and why. */
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    reviewReason: text("review_reason"),
  },
  (t) => [
    uniqueIndex("payments_user_key").on(t.userId, t.idempotencyKey),
    uniqueIndex("payments_provider_ref_key").on(t.provider, t.providerRef),
    index().on(t.userId, t.createdAt),
    index("payments_needs_review_index").on(t.createdAt).where(sql`${t.status} = 'needs_review'`),
    index("payments_reviewed_index").on(t.reviewedAt).where(sql`${t.reviewedAt} is not null`),
    check(
      "payments_status",
      sql`${t.status} in ('pending', 'succeeded', 'failed', 'expired', 'needs_review', 'refunded')`,
    ),
    // Only an admin's review closes a payment as refunded.
    check(
      "payments_refund_reviewed",
      sql`${t.status} <> 'refunded' or ${t.reviewedAt} is not null`,
    ),
  ],
);
export type Payment = typeof payments.$inferSelect;

/** Mail-in codes for free SC (no purchase necessary): only their SHA-256 is kept. */
export const mailInCodes = pgTable("mail_in_codes", {
  id: uuid("id").primaryKey().defaultRandom(),
  codeHash: bytea("code_hash").notNull().unique(),
  amount: bigint("amount", { mode: "number" }).notNull(),
  createdBy: uuid("created_by").references(() => users.id),
  note: text("note"),
  ...timestamps,
  redeemedBy: uuid("redeemed_by").references(() => users.id),
  redeemedAt: timestamp("redeemed_at", { withTimezone: true }),
});

/** A player's server seeds: at most one active and one next (committed, unused) at a time. */
export const fairSeeds = pgTable(
  "fair_seeds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** 64 lowercase hex characters; secret until revealed. */
    serverSeed: text("server_seed").notNull(),
    /** SHA-256 of the serverSeed text, in hex: the commitment. */
    serverSeedHash: text("server_seed_hash").notNull(),
    /** The salt of the commitment leaf's playerCommitment. */
    playerSalt: bytea("player_salt").notNull(),
    status: fairSeedStatusEnum("status").notNull(),
    /** The nonce of the next round played with this seed (rounds count from 0). */
    nextNonce: integer("next_nonce").notNull().default(0),
    ...timestamps,
    activatedAt: timestamp("activated_at", { withTimezone: true }),
    revealedAt: timestamp("revealed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("fair_seeds_active_key").on(t.userId).where(sql`${t.status} = 'active'`),
    uniqueIndex("fair_seeds_next_key").on(t.userId).where(sql`${t.status} = 'next'`),
    index().on(t.userId, t.createdAt),
  ],
);
export type FairSeed = typeof fairSeeds.$inferSelect;

/** The client seed a player set (a default is made for them); rounds copy it. */
export const fairClientSeeds = pgTable("fair_client_seeds", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id),
  clientSeed: text("client_seed").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** A game round: stake, outcome and payout, settled in one transaction with its journal entry. */
export const gameRounds = pgTable(
  "game_rounds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: bytea("request_hash").notNull(),
    game: text("game").notNull(),
    currency: currencyEnum("currency").notNull(),
    stake: bigint("stake", { mode: "number" }).notNull(),
    payout: bigint("payout", { mode: "number" }).notNull(),
    params: jsonb("params").$type<Record<string, unknown>>().notNull(),
    outcome: jsonb("outcome").$type<Record<string, unknown>>().notNull(),
    seedId: uuid("seed_id")
      .notNull()
      .references(() => fairSeeds.id),
    clientSeed: text("client_seed").notNull(),
    nonce: integer("nonce").notNull(),
    balanceAfter: bigint("balance_after", { mode: "number" }).notNull(),
    /** A prize won with the round (an instant-win outcome), redeemed through the usual path. */
    prizeId: uuid("prize_id").references(() => prizes.id),
    region: text("region"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("game_rounds_key").on(t.userId, t.idempotencyKey),
    uniqueIndex("game_rounds_seed_nonce_key").on(t.seedId, t.nonce),
    index().on(t.userId, t.createdAt),
    index().on(t.createdAt),
    check("game_rounds_stake_positive", sql`${t.stake} > 0`),
    check("game_rounds_payout_nonnegative", sql`${t.payout} >= 0`),
  ],
);
export type GameRound = typeof gameRounds.$inferSelect;

/** Prizes for Sweeps Coins, with their own stock. */
export const catalogItems = pgTable(
  "catalog_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    priceSc: bigint("price_sc", { mode: "number" }).notNull(),
    stock: integer("stock").notNull(),
    position: smallint("position").notNull().default(0),
    /** Offered as the scratch card's prize tier (docs/games.md) while it has stock. */
    instantWin: boolean("instant_win").notNull().default(false),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("catalog_items_price_positive", sql`${t.priceSc} > 0`),
    check("catalog_items_stock_nonnegative", sql`${t.stock} >= 0`),
  ],
);
export type CatalogItem = typeof catalogItems.$inferSelect;

/**
 * Responsible-gaming limits a player set, per kind (purchase in cents, wager in a currency's
 * minor units) and period. Lowering takes effect at once; a raise waits in pendingAmount until
 * pendingFrom (24 hours later).
 */
export const rgLimits = pgTable(
  "rg_limits",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    period: text("period").notNull(),
    amount: bigint("amount", { mode: "number" }),
    pendingAmount: bigint("pending_amount", { mode: "number" }),
    pendingFrom: timestamp("pending_from", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.kind, t.period] }),
    check("rg_limits_kind", sql`${t.kind} in ('purchase', 'wager_gc', 'wager_sc')`),
    check("rg_limits_period", sql`${t.period} in ('day', 'week', 'month')`),
  ],
);

/** Cool-offs and self-exclusions: nobody lifts one early (endsAt null: permanent). */
export const rgExclusions = pgTable(
  "rg_exclusions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull().defaultNow(),
    endsAt: timestamp("ends_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index().on(t.userId, t.endsAt),
    check("rg_exclusions_kind", sql`${t.kind} in ('cool_off', 'self_exclusion')`),
  ],
);

/**
 * Each redemption's delivery, made in the redemption's own transaction (the outbox: a prize is
 * never given without its delivery, nor queued without its redemption). The job queue carries
 * the work; this row is what players, admins and the API read.
 */
export const deliveries = pgTable(
  "deliveries",
  {
    redemptionId: uuid("redemption_id")
      .primaryKey()
      .references(() => redemptions.id),
    provider: deliveryProviderEnum("provider").notNull(),
    status: deliveryStatusEnum("status").notNull(),
    /** Attempts made at the provider, and the last failure's stable code and words. */
    attempts: integer("attempts").notNull().default(0),
    lastErrorCode: text("last_error_code"),
    lastError: text("last_error"),
    reference: text("reference"),
    txHash: text("tx_hash"),
    /** The highest provider state applied: webhooks come twice and out of order. */
    providerVersion: integer("provider_version").notNull().default(0),
    /** A parcel's last step before delivered (packed, shipped) and who carries it. */
    shipmentStep: text("shipment_step"),
    carrier: text("carrier"),
    /** A provider's card (code, PIN, link) as JSON, AES-256-GCM encrypted like codes. */
    rewardCiphertext: bytea("reward_ciphertext"),
    rewardKeyId: text("reward_key_id"),
    ...timestamps,
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index().on(t.status, t.updatedAt),
    index().on(t.deliveredAt),
    check("deliveries_shipment_step", sql`${t.shipmentStep} in ('packed', 'shipped')`),
  ],
);

/**
 * Jobs written in a business transaction (a claim's deliveries, a mail), moved into the job
 * queue by the worker's relay: a transaction that rolls back leaves no job, and the hot path
 * never writes the queue's own tables.
 */
export const jobOutbox = pgTable("job_outbox", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  queue: text("queue").notNull(),
  data: jsonb("data").notNull(),
  /** Not before this time (a reminder, a later check). */
  startAfter: timestamp("start_after", { withTimezone: true }),
  ...timestamps,
});

/**
 * What a player is told in the app (the bell and /notifications), written in the transaction of
 * what it tells. A redemption is told each kind of thing once.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    kind: notificationKindEnum("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** A page of the app to open (the redemption's). */
    link: text("link"),
    redemptionId: uuid("redemption_id").references(() => redemptions.id),
    ...timestamps,
    readAt: timestamp("read_at", { withTimezone: true }),
    /** When its email went out (the mail job runs at least once: a second run sends nothing). */
    mailedAt: timestamp("mailed_at", { withTimezone: true }),
  },
  (t) => [
    index().on(t.playerId, t.createdAt.desc(), t.id.desc()),
    index("notifications_unread_idx").on(t.playerId).where(sql`${t.readAt} is null`),
    uniqueIndex("notifications_redemption_kind_idx")
      .on(t.redemptionId, t.kind)
      .where(sql`${t.redemptionId} is not null`),
  ],
);
export type Notification = typeof notifications.$inferSelect;

/**
 * A player's choices about notifications beyond the app: the events whose email, and whose push,
 * are off (none when there is no row). The unsubscribe token goes in every mail; the row is made
 * with the first one, or the first change of a choice.
 */
export const notificationPreferences = pgTable("notification_preferences", {
  playerId: uuid("player_id")
    .primaryKey()
    .references(() => users.id),
  unsubscribeToken: text("unsubscribe_token").notNull().unique(),
  emailOff: notificationEventEnum("email_off").array().notNull().default(sql`'{}'`),
  pushOff: notificationEventEnum("push_off").array().notNull().default(sql`'{}'`),
});

/**
 * A browser that receives the player's notifications by Web Push (lib/push): its push service
 * endpoint and the keys the payload is encrypted to. An endpoint belongs to the account that
 * last subscribed with it (one browser, several accounts in turn); a push service answering
 * 404 or 410 for it removes the row.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    endpoint: text("endpoint").notNull().unique(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    ...timestamps,
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    /** Pushes refused or unanswered since the last one accepted. */
    failureCount: integer("failure_count").notNull().default(0),
  },
  (t) => [index().on(t.userId)],
);
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

/**
 * A player's wallet address for crypto prizes, proven by a Sign-In with Ethereum signature
 * (lib/payouts/link-wallet.ts). Unlinking keeps the row (unlinkedAt), so the history stays; at
 * most one live link per player and per address.
 */
export const walletLinks = pgTable(
  "wallet_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** EIP-55 checksummed. */
    address: text("address").notNull(),
    chainId: bigint("chain_id", { mode: "number" }).notNull(),
    linkedAt: timestamp("linked_at", { withTimezone: true }).notNull().defaultNow(),
    unlinkedAt: timestamp("unlinked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("wallet_links_user_key").on(t.userId).where(sql`${t.unlinkedAt} is null`),
    uniqueIndex("wallet_links_address_key")
      .on(sql`lower(${t.address})`)
      .where(sql`${t.unlinkedAt} is null`),
  ],
);

/** Sign-In with Ethereum nonces: single use (deleted when used), bound to a player, short-lived. */
export const walletNonces = pgTable(
  "wallet_nonces",
  {
    nonce: text("nonce").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [index().on(t.userId), index().on(t.expiresAt)],
);

/**
 * One transaction of the treasury's paying crypto prizes (PrizeToken.payout). Recorded, signed,
 * before it is broadcast: its nonce, hash and raw bytes are what reconciliation looks up and
 * sends again after a crash (docs/payouts.md). The (signer, nonce) pair is the treasury's nonce
 * counter.
 */
export const tokenPayoutBatches = pgTable(
  "token_payout_batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    signer: text("signer").notNull(),
    chainId: bigint("chain_id", { mode: "number" }).notNull(),
    nonce: bigint("nonce", { mode: "number" }).notNull(),
    txHash: text("tx_hash").notNull(),
    rawTx: text("raw_tx").notNull(),
    /** signed → sent → confirmed; or dropped (its nonce went to another transaction, or it reverted). */
    status: text("status").notNull().default("signed"),
    blockNumber: bigint("block_number", { mode: "number" }),
    lastError: text("last_error"),
    ...timestamps,
    sentAt: timestamp("sent_at", { withTimezone: true }),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("token_payout_batches_nonce_key").on(t.signer, t.chainId, t.nonce),
    index("token_payout_batches_open_idx")
      .on(t.nonce)
      .where(sql`${t.status} in ('signed', 'sent')`),
    check(
      "token_payout_batches_status",
      sql`${t.status} in ('signed', 'sent', 'confirmed', 'dropped')`,
    ),
  ],
);
export type TokenPayoutBatch = typeof tokenPayoutBatches.$inferSelect;

/** One crypto redemption's payment in prize tokens (lib/payouts). */
export const tokenPayouts = pgTable(
  "token_payouts",
  {
    redemptionId: uuid("redemption_id")
      .primaryKey()
      .references(() => redemptions.id),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    /** In the token's base units (10^-18), as digits: beyond any JavaScript number. */
    amount: numeric("amount", { precision: 78, scale: 0 }).notNull(),
    /** Where it is paid: the player's linked address when it became due. */
    address: text("address"),
    /**
     * awaiting_wallet → due → signed (in a batch) → sent → confirmed; or failed (for good),
     * cancelled (reversed before it was signed).
     */
    status: text("status").notNull(),
    batchId: uuid("batch_id").references(() => tokenPayoutBatches.id),
    attempts: integer("attempts").notNull().default(0),
    /** A failed payout's reason (PayoutErrorCode); lastError says it in words. */
    failureCode: text("failure_code"),
    lastError: text("last_error"),
    /** The status onOutcome was last told (at least once per change, see reportOutcomes). */
    reportedStatus: text("reported_status"),
    ...timestamps,
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.playerId, t.status),
    index("token_payouts_due_idx").on(t.createdAt).where(sql`${t.status} = 'due'`),
    index().on(t.batchId),
    index("token_payouts_unreported_idx")
      .on(t.updatedAt)
      .where(
        sql`${t.status} in ('sent', 'confirmed', 'failed') and ${t.reportedStatus} is distinct from ${t.status}`,
      ),
    check("token_payouts_amount_positive", sql`${t.amount} > 0`),
    check(
      "token_payouts_status",
      sql`${t.status} in ('awaiting_wallet', 'due', 'signed', 'sent', 'confirmed', 'failed', 'cancelled')`,
    ),
    check(
      "token_payouts_due_has_address",
      sql`${t.status} in ('awaiting_wallet', 'failed', 'cancelled') or ${t.address} is not null`,
    ),
  ],
);
export type TokenPayout = typeof tokenPayouts.$inferSelect;

/**
 * Operators' endpoints for outbound webhooks (Standard Webhooks). The secret (`whsec_…`) is
 * stored encrypted like codes; after a rotation the previous one keeps signing beside it until
 * `previous_secret_until`, so a receiver can switch without losing a message.
 */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  url: text("url").notNull(),
  secretCiphertext: bytea("secret_ciphertext").notNull(),
  secretKeyId: text("secret_key_id").notNull(),
  previousSecretCiphertext: bytea("previous_secret_ciphertext"),
  previousSecretKeyId: text("previous_secret_key_id"),
  previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true }),
  eventTypes: text("event_types").array().notNull(),
  enabled: boolean("enabled").notNull().default(true),
  createdBy: uuid("created_by").references(() => users.id),
  ...timestamps,
});
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * One event for one endpoint, written in the transaction that made the event (with its job in
 * the outbox). `event_id` is the `webhook-id` of every attempt and replay. Each attempt is kept
 * in `attempts` (time, status code or error, duration).
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    state: text("state").notNull().default("pending"),
    attempts: jsonb("attempts").notNull().default(sql`'[]'::jsonb`),
    ...timestamps,
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "webhook_deliveries_state",
      sql`${t.state} in ('pending', 'failed', 'delivered', 'dead')`,
    ),
    index().on(t.endpointId, t.createdAt),
  ],
);
