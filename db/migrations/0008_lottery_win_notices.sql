CREATE TABLE "lottery_win_notices" (
	"redemption_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"mailed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "lottery_win_notices" ADD CONSTRAINT "lottery_win_notices_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lottery_win_notices_unmailed_idx" ON "lottery_win_notices" USING btree ("created_at") WHERE "lottery_win_notices"."mailed_at" is null;