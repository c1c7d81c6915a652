CREATE TABLE "claim_latency_seconds" (
	"at" timestamp with time zone NOT NULL,
	"bucket" smallint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "claim_latency_seconds_at_bucket_pk" PRIMARY KEY("at","bucket")
);
--> statement-breakpoint
CREATE TABLE "claim_outcome_minutes" (
	"drop_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "claim_outcome_minutes_drop_id_at_reason_pk" PRIMARY KEY("drop_id","at","reason")
);
--> statement-breakpoint
CREATE TABLE "claim_outcome_seconds" (
	"drop_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "claim_outcome_seconds_drop_id_at_reason_pk" PRIMARY KEY("drop_id","at","reason")
);
--> statement-breakpoint
CREATE TABLE "redemption_counts" (
	"prize_id" uuid NOT NULL,
	"region" text NOT NULL,
	"hour" smallint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "redemption_counts_prize_id_region_hour_pk" PRIMARY KEY("prize_id","region","hour")
);
--> statement-breakpoint
ALTER TABLE "redemptions" ADD COLUMN "region" text;--> statement-breakpoint
CREATE INDEX "claim_outcome_minutes_at_index" ON "claim_outcome_minutes" USING btree ("at");--> statement-breakpoint
CREATE INDEX "claim_outcome_seconds_at_index" ON "claim_outcome_seconds" USING btree ("at");--> statement-breakpoint
CREATE INDEX "redemptions_drop_id_status_index" ON "redemptions" USING btree ("drop_id","status");--> statement-breakpoint
-- Redemptions claimed before this migration take their player's region as it is now.
UPDATE "redemptions" r SET "region" = u."region" FROM "users" u WHERE u."id" = r."player_id";--> statement-breakpoint
-- A redemption keeps its player's region at claim time, whoever inserts it (claims, lottery draws, bulk loads).
CREATE FUNCTION "redemptions_set_region"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."region" IS NULL THEN
    SELECT "region" INTO NEW."region" FROM "users" WHERE "id" = NEW."player_id";
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "redemptions_region" BEFORE INSERT ON "redemptions"
  FOR EACH ROW EXECUTE FUNCTION "redemptions_set_region"();--> statement-breakpoint
-- redemption_counts follows every insert, update (expiry, reversal) of redemptions: one
-- aggregated upsert per statement, in key order so concurrent statements lock rows alike.
CREATE FUNCTION "redemption_counts_on_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "redemption_counts" ("prize_id", "region", "hour", "n")
  SELECT "prize_id", coalesce("region", '??'), extract(hour FROM "created_at" AT TIME ZONE 'UTC')::smallint, count(*)::int
  FROM "new_rows" WHERE "status" IN ('fulfilled', 'awaiting_action') AND "reversed_at" IS NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("prize_id", "region", "hour") DO UPDATE SET "n" = "redemption_counts"."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "redemption_counts_on_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "redemption_counts" ("prize_id", "region", "hour", "n")
  SELECT "prize_id", "region", "hour", sum("d")::int FROM (
    SELECT o."prize_id", coalesce(o."region", '??') AS "region",
           extract(hour FROM o."created_at" AT TIME ZONE 'UTC')::smallint AS "hour", -1 AS "d"
    FROM "old_rows" o WHERE o."status" IN ('fulfilled', 'awaiting_action') AND o."reversed_at" IS NULL
    UNION ALL
    SELECT n."prize_id", coalesce(n."region", '??'),
           extract(hour FROM n."created_at" AT TIME ZONE 'UTC')::smallint, 1
    FROM "new_rows" n WHERE n."status" IN ('fulfilled', 'awaiting_action') AND n."reversed_at" IS NULL
  ) t
  GROUP BY 1, 2, 3 HAVING sum("d") <> 0 ORDER BY 1, 2, 3
  ON CONFLICT ("prize_id", "region", "hour") DO UPDATE SET "n" = "redemption_counts"."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "redemption_counts_insert" AFTER INSERT ON "redemptions"
  REFERENCING NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "redemption_counts_on_insert"();--> statement-breakpoint
CREATE TRIGGER "redemption_counts_update" AFTER UPDATE ON "redemptions"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "redemption_counts_on_update"();--> statement-breakpoint
-- Recomputes every rollup but the latency histogram (latencies are kept nowhere else) from the
-- raw tables; the locks keep claims, expiries and reversals out while it counts.
CREATE FUNCTION "rebuild_analytics_rollups"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "redemptions", "audit_events" IN SHARE MODE;
  TRUNCATE "redemption_counts", "claim_outcome_seconds", "claim_outcome_minutes";
  INSERT INTO "redemption_counts" ("prize_id", "region", "hour", "n")
  SELECT "prize_id", coalesce("region", '??'), extract(hour FROM "created_at" AT TIME ZONE 'UTC')::smallint, count(*)::int
  FROM "redemptions" WHERE "status" IN ('fulfilled', 'awaiting_action') AND "reversed_at" IS NULL
  GROUP BY 1, 2, 3;
  INSERT INTO "claim_outcome_seconds" ("drop_id", "at", "reason", "n")
  SELECT substr("subject", 6)::uuid, date_trunc('second', "at"),
         CASE WHEN "outcome" = 'ok' THEN 'claimed' ELSE coalesce("reason", 'unknown') END, count(*)::int
  FROM "audit_events"
  WHERE "action" = 'claim' AND "subject" ~ '^drop:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  GROUP BY 1, 2, 3;
  INSERT INTO "claim_outcome_minutes" ("drop_id", "at", "reason", "n")
  SELECT "drop_id", date_trunc('minute', "at"), "reason", sum("n")::int
  FROM "claim_outcome_seconds" GROUP BY 1, 2, 3;
END $$;--> statement-breakpoint
SELECT "rebuild_analytics_rollups"();
