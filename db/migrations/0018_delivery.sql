CREATE TYPE "public"."delivery_provider" AS ENUM('pool', 'giftcard', 'token', 'shipping');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('waiting', 'pending', 'submitted', 'delivered', 'failed', 'dead', 'cancelled');--> statement-breakpoint
ALTER TYPE "public"."ledger_kind" ADD VALUE 'delivery';--> statement-breakpoint
CREATE TABLE "deliveries" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"provider" "delivery_provider" NOT NULL,
	"status" "delivery_status" NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error_code" text,
	"last_error" text,
	"reference" text,
	"tx_hash" text,
	"provider_version" integer DEFAULT 0 NOT NULL,
	"reward_ciphertext" "bytea",
	"reward_key_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "job_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"data" jsonb NOT NULL,
	"start_after" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "delivery_provider" "delivery_provider";--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "provider_product" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deliveries_status_updated_at_index" ON "deliveries" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "deliveries_delivered_at_index" ON "deliveries" USING btree ("delivered_at");--> statement-breakpoint
-- Redemptions made before deliveries existed: gift cards came from the imported pool at the
-- claim, so those kept are delivered; crypto and physical prizes wait for their next step; the
-- rest are cancelled.
INSERT INTO "deliveries" ("redemption_id", "provider", "status", "created_at", "updated_at", "delivered_at")
SELECT r.id,
       (CASE p.kind WHEN 'gift_card' THEN 'pool' WHEN 'crypto' THEN 'token' ELSE 'shipping' END)::delivery_provider,
       (CASE WHEN r.status IN ('expired', 'reversed', 'rejected') THEN 'cancelled'
             WHEN p.kind = 'gift_card' AND r.status = 'fulfilled' THEN 'delivered'
             ELSE 'waiting' END)::delivery_status,
       r.created_at, r.created_at,
       CASE WHEN p.kind = 'gift_card' AND r.status = 'fulfilled' THEN r.created_at END
FROM "redemptions" r JOIN "prizes" p ON p.id = r.prize_id;
