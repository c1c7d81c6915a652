ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_address';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_wallet';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_identity';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'next_step_reminder';--> statement-breakpoint
CREATE TYPE "public"."notification_event" AS ENUM('confirmed', 'next_step', 'delivered', 'problem', 'reversed');--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "email_off" "notification_event"[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "push_off" "notification_event"[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- A player who unsubscribed before there were choices per event keeps every email off.
UPDATE "notification_preferences" SET "email_off" = enum_range(NULL::"notification_event") WHERE "mail_off_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_preferences" DROP COLUMN "mail_off_at";
