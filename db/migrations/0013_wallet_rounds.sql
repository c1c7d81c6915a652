CREATE TYPE "public"."currency" AS ENUM('GC', 'SC');--> statement-breakpoint
CREATE TYPE "public"."fair_seed_status" AS ENUM('next', 'active', 'revealed');--> statement-breakpoint
CREATE TYPE "public"."wallet_account_kind" AS ENUM('player', 'house', 'promotions', 'prize_liability', 'purchases');--> statement-breakpoint
CREATE TYPE "public"."wallet_transaction_kind" AS ENUM('purchase', 'daily_bonus', 'mail_in', 'grant', 'round', 'redemption', 'redemption_refund');--> statement-breakpoint
ALTER TYPE "public"."ledger_kind" ADD VALUE 'seed_commitment';--> statement-breakpoint
ALTER TYPE "public"."ledger_kind" ADD VALUE 'round';--> statement-breakpoint
ALTER TYPE "public"."redemption_status" ADD VALUE 'pending_approval';--> statement-breakpoint
ALTER TYPE "public"."redemption_status" ADD VALUE 'rejected';--> statement-breakpoint
CREATE TABLE "catalog_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"prize_id" uuid NOT NULL,
	"price_sc" bigint NOT NULL,
	"stock" integer NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_items_price_positive" CHECK ("catalog_items"."price_sc" > 0),
	CONSTRAINT "catalog_items_stock_nonnegative" CHECK ("catalog_items"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "coin_packages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"price_cents" bigint NOT NULL,
	"gc" bigint NOT NULL,
	"bonus_sc" bigint DEFAULT 0 NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coin_packages_price_positive" CHECK ("coin_packages"."price_cents" > 0),
	CONSTRAINT "coin_packages_gc_positive" CHECK ("coin_packages"."gc" > 0),
	CONSTRAINT "coin_packages_bonus_nonnegative" CHECK ("coin_packages"."bonus_sc" >= 0)
);
--> statement-breakpoint
CREATE TABLE "fair_client_seeds" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"client_seed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fair_seeds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"server_seed" text NOT NULL,
	"server_seed_hash" text NOT NULL,
	"player_salt" "bytea" NOT NULL,
	"status" "fair_seed_status" NOT NULL,
	"next_nonce" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"revealed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "game_rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" "bytea" NOT NULL,
	"game" text NOT NULL,
	"currency" "currency" NOT NULL,
	"stake" bigint NOT NULL,
	"payout" bigint NOT NULL,
	"params" jsonb NOT NULL,
	"outcome" jsonb NOT NULL,
	"seed_id" uuid NOT NULL,
	"client_seed" text NOT NULL,
	"nonce" integer NOT NULL,
	"balance_after" bigint NOT NULL,
	"prize_id" uuid,
	"region" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "game_rounds_stake_positive" CHECK ("game_rounds"."stake" > 0),
	CONSTRAINT "game_rounds_payout_nonnegative" CHECK ("game_rounds"."payout" >= 0)
);
--> statement-breakpoint
CREATE TABLE "mail_in_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" "bytea" NOT NULL,
	"amount" bigint NOT NULL,
	"created_by" uuid,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"redeemed_by" uuid,
	"redeemed_at" timestamp with time zone,
	CONSTRAINT "mail_in_codes_code_hash_unique" UNIQUE("code_hash")
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"package_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"gc" bigint NOT NULL,
	"bonus_sc" bigint NOT NULL,
	"provider" text NOT NULL,
	"provider_ref" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"failure_reason" text,
	"region" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "payments_status" CHECK ("payments"."status" in ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "rg_exclusions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rg_exclusions_kind" CHECK ("rg_exclusions"."kind" in ('cool_off', 'self_exclusion'))
);
--> statement-breakpoint
CREATE TABLE "rg_limits" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"period" text NOT NULL,
	"amount" bigint,
	"pending_amount" bigint,
	"pending_from" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rg_limits_user_id_kind_period_pk" PRIMARY KEY("user_id","kind","period"),
	CONSTRAINT "rg_limits_kind" CHECK ("rg_limits"."kind" in ('purchase', 'wager_gc', 'wager_sc')),
	CONSTRAINT "rg_limits_period" CHECK ("rg_limits"."period" in ('day', 'week', 'month'))
);
--> statement-breakpoint
CREATE TABLE "wallet_accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "wallet_account_kind" NOT NULL,
	"currency" "currency" NOT NULL,
	"user_id" uuid,
	"shard" smallint DEFAULT 0 NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"playthrough_due" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "wallet_accounts_owner" CHECK (("wallet_accounts"."kind" = 'player') = ("wallet_accounts"."user_id" is not null)),
	CONSTRAINT "wallet_accounts_player_nonnegative" CHECK ("wallet_accounts"."kind" <> 'player' or ("wallet_accounts"."balance" >= 0 and "wallet_accounts"."playthrough_due" between 0 and "wallet_accounts"."balance"))
);
--> statement-breakpoint
CREATE TABLE "wallet_postings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"transaction_id" uuid NOT NULL,
	"account_id" bigint NOT NULL,
	"currency" "currency" NOT NULL,
	"amount" bigint NOT NULL,
	"playthrough" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallet_postings_moves" CHECK ("wallet_postings"."amount" <> 0 or "wallet_postings"."playthrough" <> 0)
);
--> statement-breakpoint
CREATE TABLE "wallet_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "wallet_transaction_kind" NOT NULL,
	"idempotency_key" text NOT NULL,
	"user_id" uuid,
	"region" text,
	"actor_id" uuid,
	"reason" text,
	"subject_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ALTER COLUMN "redemption_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "redemptions" ALTER COLUMN "drop_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "redemptions" ALTER COLUMN "unit_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "excluded_regions" ADD COLUMN "sweeps_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "round_id" uuid;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "fair_seed_id" uuid;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "catalog_item_id" uuid;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "round_id" uuid;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "price_sc" bigint;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "reviewed_by" uuid;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "rejection_reason" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "legal_name" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "birth_date" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "postal_address" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "identity_declared_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_reminder_minutes" smallint;--> statement-breakpoint
ALTER TABLE "catalog_items" ADD CONSTRAINT "catalog_items_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fair_client_seeds" ADD CONSTRAINT "fair_client_seeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fair_seeds" ADD CONSTRAINT "fair_seeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_rounds" ADD CONSTRAINT "game_rounds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_rounds" ADD CONSTRAINT "game_rounds_seed_id_fair_seeds_id_fk" FOREIGN KEY ("seed_id") REFERENCES "public"."fair_seeds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_rounds" ADD CONSTRAINT "game_rounds_prize_id_prizes_id_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_in_codes" ADD CONSTRAINT "mail_in_codes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_in_codes" ADD CONSTRAINT "mail_in_codes_redeemed_by_users_id_fk" FOREIGN KEY ("redeemed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_package_id_coin_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."coin_packages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rg_exclusions" ADD CONSTRAINT "rg_exclusions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rg_limits" ADD CONSTRAINT "rg_limits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_accounts" ADD CONSTRAINT "wallet_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_postings" ADD CONSTRAINT "wallet_postings_transaction_id_wallet_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."wallet_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_postings" ADD CONSTRAINT "wallet_postings_account_id_wallet_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."wallet_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_transactions" ADD CONSTRAINT "wallet_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_transactions" ADD CONSTRAINT "wallet_transactions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fair_seeds_active_key" ON "fair_seeds" USING btree ("user_id") WHERE "fair_seeds"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "fair_seeds_next_key" ON "fair_seeds" USING btree ("user_id") WHERE "fair_seeds"."status" = 'next';--> statement-breakpoint
CREATE INDEX "fair_seeds_user_id_created_at_index" ON "fair_seeds" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "game_rounds_key" ON "game_rounds" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "game_rounds_seed_nonce_key" ON "game_rounds" USING btree ("seed_id","nonce");--> statement-breakpoint
CREATE INDEX "game_rounds_user_id_created_at_index" ON "game_rounds" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "game_rounds_created_at_index" ON "game_rounds" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_user_key" ON "payments" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_provider_ref_key" ON "payments" USING btree ("provider","provider_ref");--> statement-breakpoint
CREATE INDEX "payments_user_id_created_at_index" ON "payments" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "rg_exclusions_user_id_ends_at_index" ON "rg_exclusions" USING btree ("user_id","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_accounts_player_key" ON "wallet_accounts" USING btree ("user_id","currency") WHERE "wallet_accounts"."kind" = 'player';--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_accounts_system_key" ON "wallet_accounts" USING btree ("kind","currency","shard") WHERE "wallet_accounts"."kind" <> 'player';--> statement-breakpoint
CREATE INDEX "wallet_postings_account_id_id_index" ON "wallet_postings" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "wallet_postings_transaction_id_index" ON "wallet_postings" USING btree ("transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_transactions_key" ON "wallet_transactions" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "wallet_transactions_user_id_created_at_index" ON "wallet_transactions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "wallet_transactions_kind_created_at_index" ON "wallet_transactions" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "wallet_transactions_created_at_index" ON "wallet_transactions" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_round_idx" ON "ledger_entries" USING btree ("round_id") WHERE "ledger_entries"."round_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_entries_seed_idx" ON "ledger_entries" USING btree ("fair_seed_id") WHERE "ledger_entries"."fair_seed_id" is not null;--> statement-breakpoint
CREATE INDEX "redemptions_round_idx" ON "redemptions" USING btree ("round_id") WHERE "redemptions"."round_id" is not null;--> statement-breakpoint
CREATE INDEX "redemptions_catalog_idx" ON "redemptions" USING btree ("catalog_item_id","created_at") WHERE "redemptions"."catalog_item_id" is not null;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_one_subject" CHECK (num_nonnulls("ledger_entries"."redemption_id", "ledger_entries"."round_id", "ledger_entries"."fair_seed_id") = 1);--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_has_origin" CHECK (num_nonnulls("redemptions"."drop_id", "redemptions"."catalog_item_id", "redemptions"."round_id") = 1);--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_drop_has_unit" CHECK (("redemptions"."drop_id" is null) = ("redemptions"."unit_id" is null));--> statement-breakpoint
-- The journal's rules, kept by the database whatever the code does. A statement's postings must
-- sum to zero per transaction and currency, in the currency of their account; they are then
-- applied to the balances in one UPDATE per statement (a hot counterparty shard is written once
-- per statement, not once per posting). The player-account CHECK refuses the whole statement if
-- a balance would go below zero. Writers lock the accounts they touch in id order first, so two
-- statements never take the same rows in opposite orders.
CREATE FUNCTION "wallet_postings_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	unbalanced record;
BEGIN
	SELECT n.transaction_id, n.currency, sum(n.amount) AS total INTO unbalanced
		FROM new_postings n GROUP BY n.transaction_id, n.currency HAVING sum(n.amount) <> 0 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'wallet transaction % does not balance in %: postings sum to %',
			unbalanced.transaction_id, unbalanced.currency, unbalanced.total
			USING ERRCODE = 'check_violation';
	END IF;
	IF EXISTS (SELECT 1 FROM new_postings n JOIN "wallet_accounts" a ON a.id = n.account_id
			WHERE a.currency <> n.currency) THEN
		RAISE EXCEPTION 'a posting is not in its account''s currency' USING ERRCODE = 'check_violation';
	END IF;
	UPDATE "wallet_accounts" a
		SET balance = a.balance + d.amount, playthrough_due = a.playthrough_due + d.playthrough
		FROM (SELECT account_id, sum(amount) AS amount, sum(playthrough) AS playthrough
			FROM new_postings GROUP BY account_id) d
		WHERE a.id = d.account_id;
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "wallet_postings_apply" AFTER INSERT ON "wallet_postings"
	REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION "wallet_postings_apply"();--> statement-breakpoint
CREATE FUNCTION "wallet_journal_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the wallet journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "wallet_postings_append_only" BEFORE UPDATE OR DELETE ON "wallet_postings"
	FOR EACH ROW EXECUTE FUNCTION "wallet_journal_append_only"();--> statement-breakpoint
CREATE TRIGGER "wallet_transactions_append_only" BEFORE UPDATE OR DELETE ON "wallet_transactions"
	FOR EACH ROW EXECUTE FUNCTION "wallet_journal_append_only"();--> statement-breakpoint
-- A balance moves only through postings: a direct UPDATE of balance or playthrough_due outside
-- the trigger above is refused (pg_trigger_depth() is 0 outside any trigger).
CREATE FUNCTION "wallet_accounts_balance_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION 'wallet balances change only through postings' USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "wallet_accounts_balance_guard" BEFORE UPDATE OF "balance", "playthrough_due" ON "wallet_accounts"
	FOR EACH ROW WHEN (OLD.balance IS DISTINCT FROM NEW.balance OR OLD.playthrough_due IS DISTINCT FROM NEW.playthrough_due)
	EXECUTE FUNCTION "wallet_accounts_balance_guard"();--> statement-breakpoint
-- Accounts open empty: coins come in through postings only.
CREATE FUNCTION "wallet_accounts_open_empty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.balance <> 0 OR NEW.playthrough_due <> 0 THEN
		RAISE EXCEPTION 'wallet accounts open with a zero balance' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "wallet_accounts_open_empty" BEFORE INSERT ON "wallet_accounts"
	FOR EACH ROW EXECUTE FUNCTION "wallet_accounts_open_empty"();--> statement-breakpoint
INSERT INTO "wallet_accounts" ("kind", "currency", "shard")
	SELECT k::wallet_account_kind, c::currency, s
	FROM unnest(ARRAY['house', 'promotions', 'prize_liability', 'purchases']) k,
		unnest(ARRAY['GC', 'SC']) c, generate_series(0, 15) s;
