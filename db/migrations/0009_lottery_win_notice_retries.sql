DROP INDEX "lottery_win_notices_unmailed_idx";--> statement-breakpoint
ALTER TABLE "lottery_win_notices" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "lottery_win_notices" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "lottery_win_notices" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "lottery_win_notices" ADD COLUMN "abandoned_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "lottery_win_notices_due_idx" ON "lottery_win_notices" USING btree ("next_attempt_at") WHERE "lottery_win_notices"."mailed_at" is null and "lottery_win_notices"."abandoned_at" is null;