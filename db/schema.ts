import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  customType,
  index,
  inet,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Uint8Array; driverData: Buffer }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value),
  fromDriver: (value) => new Uint8Array(value),
});

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
};

export const roleEnum = pgEnum("role", ["player", "admin", "auditor"]);
export const prizeKindEnum = pgEnum("prize_kind", ["gift_card", "crypto", "physical"]);
export const ledgerKindEnum = pgEnum("ledger_kind", ["redemption", "reversal", "expiry"]);
export const checkpointStatusEnum = pgEnum("checkpoint_status", [
  "pending",
  "anchored",
  "superseded",
]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: roleEnum("role").notNull().default("player"),
    displayName: text("display_name").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
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
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    units: integer("units").notNull(),
    remaining: integer("remaining").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    check("drops_units_positive", sql`${t.units} > 0`),
    check("drops_remaining_in_range", sql`${t.remaining} >= 0 AND ${t.remaining} <= ${t.units}`),
    check("drops_window_ordered", sql`${t.endsAt} > ${t.startsAt}`),
    index().on(t.endsAt),
  ],
);
export type Drop = typeof drops.$inferSelect;
export type NewDrop = typeof drops.$inferInsert;

export const redemptions = pgTable(
  "redemptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    dropId: uuid("drop_id")
      .notNull()
      .references(() => drops.id),
    prizeId: uuid("prize_id")
      .notNull()
      .references(() => prizes.id),
    playerId: uuid("player_id")
      .notNull()
      .references(() => users.id),
    code: text("code").notNull(),
    playerSalt: bytea("player_salt").notNull(),
    ...timestamps,
  },
  (t) => [
    // One unit per player per drop: the database, not the application, is the last word.
    uniqueIndex("redemptions_drop_player_key").on(t.dropId, t.playerId),
    index().on(t.playerId, t.createdAt),
  ],
);
export type Redemption = typeof redemptions.$inferSelect;

/** The ledger outbox and the log itself: rows arrive unsequenced; the sequencer assigns leafIndex. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: ledgerKindEnum("kind").notNull(),
    redemptionId: uuid("redemption_id")
      .notNull()
      .references(() => redemptions.id),
    leafData: bytea("leaf_data").notNull(),
    leafIndex: bigint("leaf_index", { mode: "number" }),
    ...timestamps,
    sequencedAt: timestamp("sequenced_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("ledger_entries_leaf_index_key").on(t.leafIndex),
    index("ledger_entries_unsequenced_idx").on(t.id).where(sql`${t.leafIndex} IS NULL`),
    index().on(t.redemptionId),
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
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

export const checkpoints = pgTable("checkpoints", {
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
});
export type Checkpoint = typeof checkpoints.$inferSelect;

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
  },
  (t) => [index().on(t.actorId, t.at), index().on(t.action, t.at)],
);
export type AuditEvent = typeof auditEvents.$inferSelect;
