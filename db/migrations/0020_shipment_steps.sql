ALTER TABLE "deliveries" ADD COLUMN "shipment_step" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "carrier" text;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_shipment_step" CHECK ("deliveries"."shipment_step" in ('packed', 'shipped'));