ALTER TYPE "public"."ledger_kind" ADD VALUE 'queue_draw';--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_one_subject";--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "queue_drop_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_queue_drop_key" ON "ledger_entries" USING btree ("queue_drop_id") WHERE "ledger_entries"."queue_drop_id" is not null;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_one_subject" CHECK (num_nonnulls("ledger_entries"."redemption_id", "ledger_entries"."round_id", "ledger_entries"."fair_seed_id", "ledger_entries"."queue_drop_id") = 1);