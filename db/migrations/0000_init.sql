CREATE TYPE "public"."checkpoint_status" AS ENUM('pending', 'anchored', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."ledger_kind" AS ENUM('redemption', 'reversal', 'expiry');--> statement-breakpoint
CREATE TYPE "public"."prize_kind" AS ENUM('gift_card', 'crypto', 'physical');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('player', 'admin', 'auditor');--> statement-breakpoint
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
CREATE TABLE "drops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"prize_id" uuid NOT NULL,
	"units" integer NOT NULL,
	"remaining" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drops_units_positive" CHECK ("drops"."units" > 0),
	CONSTRAINT "drops_remaining_in_range" CHECK ("drops"."remaining" >= 0 AND "drops"."remaining" <= "drops"."units"),
	CONSTRAINT "drops_window_ordered" CHECK ("drops"."ends_at" > "drops"."starts_at")
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
CREATE TABLE "redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"drop_id" uuid NOT NULL,
	"prize_id" uuid NOT NULL,
	"player_id" uuid NOT NULL,
	"code" text NOT NULL,
	"player_salt" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'player' NOT NULL,
	"display_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drops" ADD CONSTRAINT "drops_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_drop_id_drops_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_player_id_users_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_id_index" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_id_at_index" ON "audit_events" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_action_at_index" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "drops_ends_at_index" ON "drops" USING btree ("ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_leaf_index_key" ON "ledger_entries" USING btree ("leaf_index");--> statement-breakpoint
CREATE INDEX "ledger_entries_unsequenced_idx" ON "ledger_entries" USING btree ("id") WHERE "ledger_entries"."leaf_index" IS NULL;--> statement-breakpoint
CREATE INDEX "ledger_entries_redemption_id_index" ON "ledger_entries" USING btree ("redemption_id");--> statement-breakpoint
CREATE UNIQUE INDEX "redemptions_drop_player_key" ON "redemptions" USING btree ("drop_id","player_id");--> statement-breakpoint
CREATE INDEX "redemptions_player_id_created_at_index" ON "redemptions" USING btree ("player_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));