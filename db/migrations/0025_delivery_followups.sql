CREATE TYPE "public"."notification_event" AS ENUM('confirmed', 'next_step', 'delivered', 'problem', 'reversed');--> statement-breakpoint
CREATE TYPE "public"."prize_recovery" AS ENUM('returned', 'cancelling', 'recovered', 'lost');--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_address';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_wallet';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_identity';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_reminder';--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_success_at" timestamp with time zone,
	"failure_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "push_subscriptions_endpoint_unique" UNIQUE("endpoint")
);
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "email_off" "notification_event"[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "push_off" "notification_event"[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "prize_recovery" "prize_recovery";--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "push_subscriptions_user_id_index" ON "push_subscriptions" USING btree ("user_id");--> statement-breakpoint
-- A player who unsubscribed before there were choices per event keeps every email off.
UPDATE "notification_preferences" SET "email_off" = enum_range(NULL::"notification_event") WHERE "mail_off_at" IS NOT NULL;--> statement-breakpoint
-- Reversals before prize_recovery all returned their unit to the drop.
UPDATE "redemptions" SET "prize_recovery" = 'returned' WHERE "status" = 'reversed';--> statement-breakpoint
ALTER TABLE "notification_preferences" DROP COLUMN "mail_off_at";