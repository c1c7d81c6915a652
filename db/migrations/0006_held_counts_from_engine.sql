-- Held-redemption counts on insert now come from the claim engine's end-of-batch statement
-- (lib/analytics/claim-counters.ts), which also writes the region: the per-row and per-statement
-- insert triggers cost the batched engine ~6x its claim throughput (bench:claims 6,034 → 973/s).
-- Updates (expiry, reversal) keep their trigger: they are rare and come from several writers.
DROP TRIGGER "redemption_counts_insert" ON "redemptions";--> statement-breakpoint
DROP TRIGGER "redemptions_region" ON "redemptions";--> statement-breakpoint
DROP FUNCTION "redemption_counts_on_insert"();--> statement-breakpoint
DROP FUNCTION "redemptions_set_region"();
