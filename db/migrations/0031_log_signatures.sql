CREATE TABLE "checkpoint_cosignatures" (
	"tree_size" bigint NOT NULL,
	"witness_key" text NOT NULL,
	"line" text NOT NULL,
	"cosigned_at" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoint_cosignatures_tree_size_witness_key_pk" PRIMARY KEY("tree_size","witness_key")
);
--> statement-breakpoint
CREATE TABLE "log_witness_state" (
	"witness_key" text PRIMARY KEY NOT NULL,
	"tree_size" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "checkpoints" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "checkpoint_cosignatures" ADD CONSTRAINT "checkpoint_cosignatures_tree_size_checkpoints_tree_size_fk" FOREIGN KEY ("tree_size") REFERENCES "public"."checkpoints"("tree_size") ON DELETE cascade ON UPDATE no action;