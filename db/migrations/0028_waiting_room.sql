CREATE TABLE "drop_queues" (
	"drop_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"pre_queue_minutes" integer NOT NULL,
	"admission_rate_per_minute" integer NOT NULL,
	"admission_ttl_seconds" integer NOT NULL,
	"seed" "bytea" NOT NULL,
	"seed_hash" "bytea" NOT NULL,
	"shuffled_at" timestamp with time zone,
	"last_position" integer DEFAULT 0 NOT NULL,
	"unplaced" integer DEFAULT 0 NOT NULL,
	"admitted_through" integer DEFAULT 0 NOT NULL,
	"admitted_until" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drop_queues_rate_positive" CHECK ("drop_queues"."admission_rate_per_minute" > 0),
	CONSTRAINT "drop_queues_ttl_positive" CHECK ("drop_queues"."admission_ttl_seconds" > 0),
	CONSTRAINT "drop_queues_lead_not_negative" CHECK ("drop_queues"."pre_queue_minutes" >= 0),
	CONSTRAINT "drop_queues_admitted_given" CHECK ("drop_queues"."admitted_through" <= "drop_queues"."last_position")
);
--> statement-breakpoint
CREATE TABLE "queue_places" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"drop_id" uuid NOT NULL,
	"player_id" uuid NOT NULL,
	"pseudonym" text NOT NULL,
	"salt" "bytea" NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" integer,
	"admitted_at" timestamp with time zone,
	"admission_expires_at" timestamp with time zone,
	"superseded_at" timestamp with time zone,
	CONSTRAINT "queue_places_pseudonym_unique" UNIQUE("pseudonym")
);
--> statement-breakpoint
ALTER TABLE "drop_queues" ADD CONSTRAINT "drop_queues_drop_id_drops_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_places" ADD CONSTRAINT "queue_places_drop_id_drop_queues_drop_id_fk" FOREIGN KEY ("drop_id") REFERENCES "public"."drop_queues"("drop_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_places" ADD CONSTRAINT "queue_places_player_id_users_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_places_live_idx" ON "queue_places" USING btree ("drop_id","player_id") WHERE "queue_places"."superseded_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_places_position_idx" ON "queue_places" USING btree ("drop_id","position");--> statement-breakpoint
CREATE INDEX "queue_places_unplaced_idx" ON "queue_places" USING btree ("drop_id","joined_at","pseudonym") WHERE "queue_places"."position" is null;