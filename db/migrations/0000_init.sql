CREATE TYPE "public"."allocation_mode" AS ENUM('first_come', 'lottery');--> statement-breakpoint
CREATE TYPE "public"."checkpoint_status" AS ENUM('pending', 'anchored', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."ledger_kind" AS ENUM('redemption', 'reversal', 'expiry');--> statement-breakpoint
CREATE TYPE "public"."loyalty_tier" AS ENUM('bronze', 'silver', 'gold');--> statement-breakpoint
CREATE TYPE "public"."prize_kind" AS ENUM('gift_card', 'crypto', 'physical');--> statement-breakpoint
CREATE TYPE "public"."redemption_status" AS ENUM('fulfilled', 'awaiting_action', 'expired');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('player', 'admin', 'auditor');--> statement-breakpoint
CREATE TYPE "public"."unit_status" AS ENUM('available', 'claimed');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"subject" text,
	"outcome" text NOT NULL,
	"reason" text,
	"ip" "inet",
	"user_agent" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" "bytea" NOT NULL,
	"status" "checkpoint_status" DEFAULT 'pending' NOT NULL,
	"chain_id" bigint,
	"contract" text,
	"tx_hash" text,
	"block_number" bigint,
	"block_time" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"anchored_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "drop_pools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"drop_id" uuid NOT NULL,
	"prize_id" uuid NOT NULL,
	"units" integer NOT NULL,
	"min_tier" "loyalty_tier" DEFAULT 'bronze' NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "drop_pools_units_positive" CHECK ("drop_pools"."units" > 0)
);
--> statement-breakpoint
CREATE TABLE "drop_units" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"drop_id" uuid NOT NULL,
	"pool_id" uuid NOT NULL,
	"prize_id" uuid NOT NULL,
	"status" "unit_status" DEFAULT 'available' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"units" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"paused_at" timestamp with time zone,
	"per_player_limit" smallint DEFAULT 1 NOT NULL,
	"allocation" "allocation_mode" DEFAULT 'first_come' NOT NULL,
	"eligibility" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"seed_hash" "bytea",
	"seed" "bytea",
	"drawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drops_units_positive" CHECK ("drops"."units" > 0),
	CONSTRAINT "drops_window_ordered" CHECK ("drops"."ends_at" > "drops"."starts_at"),
	CONSTRAINT "drops_limit_in_range" CHECK ("drops"."per_player_limit" between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "gift_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"prize_id" uuid NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"key_id" text NOT NULL,
	"fingerprint" "bytea" NOT NULL,
	"redemption_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"player_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" "bytea" NOT NULL,
	"status" smallint NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_player_id_key_pk" PRIMARY KEY("player_id","key")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "ledger_kind" NOT NULL,
	"redemption_id" uuid NOT NULL,
	"leaf_data" "bytea" NOT NULL,
	"leaf_index" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sequenced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ledger_nodes" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "ledger_nodes_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE TABLE "lottery_entries" (
	"drop_id" uuid NOT NULL,
	"player_id" uuid NOT NULL,
	"weight" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lottery_entries_drop_id_player_id_pk" PRIMARY KEY("drop_id","player_id")
);
--> statement-breakpoint
CREATE TABLE "prizes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "prize_kind" NOT NULL,
	"value_cents" bigint NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prizes_value_nonnegative" CHECK ("prizes"."value_cents" >= 0),
	CONSTRAINT "prizes_quantity_nonnegative" CHECK ("prizes"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limits_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"drop_id" uuid NOT NULL,
	"prize_id" uuid NOT NULL,
	"player_id" uuid NOT NULL,
	"unit_id" bigint NOT NULL,
	"claim_seq" smallint DEFAULT 1 NOT NULL,
	"status" "redemption_status" DEFAULT 'fulfilled' NOT NULL,
	"action_deadline" timestamp with time zone,
	"shipping_address" jsonb,
	"code_ciphertext" "bytea" NOT NULL,
	"code_key_id" text NOT NULL,
	"player_salt" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'player' NOT NULL,
	"display_name" text NOT NULL,
	"email_verified_at" timestamp with time zone,
	"region" text,
	"loyalty_tier" "loyalty_tier" DEFAULT 'bronze' NOT NULL,
	"flagged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_pools" ADD CONSTRAINT "drop_pools_drop_id_drops_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_pools" ADD CONSTRAINT "drop_pools_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_units" ADD CONSTRAINT "drop_units_pool_id_drop_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."drop_pools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gift_codes" ADD CONSTRAINT "gift_codes_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_entries" ADD CONSTRAINT "lottery_entries_drop_id_drops_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_entries" ADD CONSTRAINT "lottery_entries_player_id_users_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_drop_id_drops_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_player_id_users_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_id_index" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_id_at_index" ON "audit_events" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_action_at_index" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "drop_pools_drop_id_index" ON "drop_pools" USING btree ("drop_id");--> statement-breakpoint
CREATE INDEX "drop_units_available_idx" ON "drop_units" USING btree ("drop_id","pool_id","id") WHERE "drop_units"."status" = 'available';--> statement-breakpoint
CREATE INDEX "drops_ends_at_index" ON "drops" USING btree ("ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gift_codes_fingerprint_key" ON "gift_codes" USING btree ("prize_id","fingerprint");--> statement-breakpoint
CREATE INDEX "gift_codes_unused_idx" ON "gift_codes" USING btree ("prize_id","id") WHERE "gift_codes"."redemption_id" IS NULL;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_index" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_leaf_index_key" ON "ledger_entries" USING btree ("leaf_index");--> statement-breakpoint
CREATE INDEX "ledger_entries_unsequenced_idx" ON "ledger_entries" USING btree ("id") WHERE "ledger_entries"."leaf_index" IS NULL;--> statement-breakpoint
CREATE INDEX "ledger_entries_redemption_id_index" ON "ledger_entries" USING btree ("redemption_id");--> statement-breakpoint
CREATE INDEX "rate_limits_window_start_index" ON "rate_limits" USING btree ("window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "redemptions_drop_player_seq_key" ON "redemptions" USING btree ("drop_id","player_id","claim_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "redemptions_unit_key" ON "redemptions" USING btree ("unit_id") WHERE "redemptions"."status" <> 'expired';--> statement-breakpoint
CREATE INDEX "redemptions_player_id_created_at_index" ON "redemptions" USING btree ("player_id","created_at");--> statement-breakpoint
CREATE INDEX "redemptions_awaiting_idx" ON "redemptions" USING btree ("action_deadline") WHERE "redemptions"."status" = 'awaiting_action';--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));