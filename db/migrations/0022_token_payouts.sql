-- Crypto prizes paid on chain (issue 14): wallets linked by Sign-In with Ethereum, their
-- single-use nonces, and the payout engine's transactions and payouts (docs/payouts.md).
CREATE TABLE "token_payout_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signer" text NOT NULL,
	"chain_id" bigint NOT NULL,
	"nonce" bigint NOT NULL,
	"tx_hash" text NOT NULL,
	"raw_tx" text NOT NULL,
	"status" text DEFAULT 'signed' NOT NULL,
	"block_number" bigint,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	CONSTRAINT "token_payout_batches_status" CHECK ("token_payout_batches"."status" in ('signed', 'sent', 'confirmed', 'dropped'))
);
--> statement-breakpoint
CREATE TABLE "token_payouts" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"player_id" uuid NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"address" text,
	"status" text NOT NULL,
	"batch_id" uuid,
	"attempts" integer DEFAULT 0 NOT NULL,
	"failure_code" text,
	"last_error" text,
	"reported_status" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "token_payouts_amount_positive" CHECK ("token_payouts"."amount" > 0),
	CONSTRAINT "token_payouts_status" CHECK ("token_payouts"."status" in ('awaiting_wallet', 'due', 'signed', 'sent', 'confirmed', 'failed', 'cancelled')),
	CONSTRAINT "token_payouts_due_has_address" CHECK ("token_payouts"."status" in ('awaiting_wallet', 'failed', 'cancelled') or "token_payouts"."address" is not null)
);
--> statement-breakpoint
CREATE TABLE "wallet_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"address" text NOT NULL,
	"chain_id" bigint NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unlinked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "wallet_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "token_payouts" ADD CONSTRAINT "token_payouts_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_payouts" ADD CONSTRAINT "token_payouts_player_id_users_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_payouts" ADD CONSTRAINT "token_payouts_batch_id_token_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."token_payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_links" ADD CONSTRAINT "wallet_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_nonces" ADD CONSTRAINT "wallet_nonces_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "token_payout_batches_nonce_key" ON "token_payout_batches" USING btree ("signer","chain_id","nonce");--> statement-breakpoint
CREATE INDEX "token_payout_batches_open_idx" ON "token_payout_batches" USING btree ("nonce") WHERE "token_payout_batches"."status" in ('signed', 'sent');--> statement-breakpoint
CREATE INDEX "token_payouts_player_id_status_index" ON "token_payouts" USING btree ("player_id","status");--> statement-breakpoint
CREATE INDEX "token_payouts_due_idx" ON "token_payouts" USING btree ("created_at") WHERE "token_payouts"."status" = 'due';--> statement-breakpoint
CREATE INDEX "token_payouts_batch_id_index" ON "token_payouts" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "token_payouts_unreported_idx" ON "token_payouts" USING btree ("updated_at") WHERE "token_payouts"."status" in ('sent', 'confirmed', 'failed') and "token_payouts"."reported_status" is distinct from "token_payouts"."status";--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_links_user_key" ON "wallet_links" USING btree ("user_id") WHERE "wallet_links"."unlinked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_links_address_key" ON "wallet_links" USING btree (lower("address")) WHERE "wallet_links"."unlinked_at" is null;--> statement-breakpoint
CREATE INDEX "wallet_nonces_user_id_index" ON "wallet_nonces" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "wallet_nonces_expires_at_index" ON "wallet_nonces" USING btree ("expires_at");