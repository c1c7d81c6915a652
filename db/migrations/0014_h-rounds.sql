ALTER TABLE "catalog_items" ADD COLUMN "instant_win" boolean DEFAULT false NOT NULL;
