-- A payment the processor says was paid but for another amount or currency waits for an admin
-- (needs_review); one left pending past PAYMENT_PENDING_TTL_MINUTES is expired and no longer
-- counts against the purchase limits. bonus_withheld: the GC was credited without the package's
-- free SC, the player's region being closed to Sweeps Coins (or undeclared).
ALTER TABLE "payments" DROP CONSTRAINT "payments_status";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "bonus_withheld" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "payments_needs_review_index" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'needs_review';--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status" CHECK ("payments"."status" in ('pending', 'succeeded', 'failed', 'expired', 'needs_review'));