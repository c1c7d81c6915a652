ALTER TYPE "public"."redemption_status" ADD VALUE 'reversed';--> statement-breakpoint
DROP INDEX "redemptions_unit_key";--> statement-breakpoint
ALTER TABLE "drops" ADD COLUMN "ended_early_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "drops" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "token_amount" numeric(38, 18);--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "token_symbol" text;--> statement-breakpoint
ALTER TABLE "prizes" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "reversed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "reversed_by" uuid;--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "reversal_reason" text;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_reversed_by_users_id_fk" FOREIGN KEY ("reversed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "redemptions_drop_id_created_at_index" ON "redemptions" USING btree ("drop_id","created_at");--> statement-breakpoint
CREATE INDEX "redemptions_prize_id_created_at_index" ON "redemptions" USING btree ("prize_id","created_at");--> statement-breakpoint
CREATE INDEX "redemptions_status_created_at_index" ON "redemptions" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "redemptions_unit_key" ON "redemptions" USING btree ("unit_id") WHERE "redemptions"."status" <> 'expired' and "redemptions"."reversed_at" is null;