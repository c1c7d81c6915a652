-- The scratch card's prize tier awards the first catalog item flagged for instant wins that has
-- stock (lib/rounds/round-batch.ts); an admin sets the flag on the catalog page.
ALTER TABLE "catalog_items" ADD COLUMN "instant_win" boolean DEFAULT false NOT NULL;
