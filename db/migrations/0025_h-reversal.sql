-- What a reversal did with the prize (lib/redemptions/reverse-redemption.ts): returned to stock
-- (it had not gone out), being cancelled at its provider, recovered (the provider cancelled it:
-- back in stock), or lost (it had gone out: the unit stays consumed). Reversals before this
-- migration all returned their unit.
CREATE TYPE "public"."prize_recovery" AS ENUM('returned', 'cancelling', 'recovered', 'lost');--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "prize_recovery" "prize_recovery";--> statement-breakpoint
UPDATE "redemptions" SET "prize_recovery" = 'returned' WHERE "status" = 'reversed';
