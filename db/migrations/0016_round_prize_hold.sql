-- A prize won in a round by a player who has not yet declared an identity or verified an email
-- address is held until they do (lib/catalog/instant-win.ts).
ALTER TYPE "public"."redemption_status" ADD VALUE 'held';--> statement-breakpoint
-- An admin's rejection of a round's prize pays the prize tier's coin value instead.
ALTER TYPE "public"."wallet_transaction_kind" ADD VALUE 'round_prize_coins';--> statement-breakpoint
-- A round's prize names the catalog item whose stock it took (a rejection gives the unit back).
ALTER TABLE "redemptions" DROP CONSTRAINT "redemptions_has_origin";--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_has_origin" CHECK (num_nonnulls("redemptions"."drop_id", coalesce("redemptions"."catalog_item_id", "redemptions"."round_id")) = 1);
