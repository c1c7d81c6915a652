-- A crypto prize's page follows its payment live (lib/redemptions/live.ts): whenever a payout is
-- made, or its status, wallet or transaction changes (a wallet linked, a batch signed, sent,
-- confirmed, dropped), its player's open pages hear of it on `delivery`, as they do of the
-- delivery itself. Whoever moves it (the worker, a wallet link, a reversal) need not remember to.
-- Bookkeeping alone (attempts, the status last reported) tells no one.
CREATE OR REPLACE FUNCTION token_payouts_notify_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify('delivery',
                      CASE WHEN length(string_agg(DISTINCT n.player_id::text, ',')) < 7000
                           THEN string_agg(DISTINCT n.player_id::text, ',') ELSE '' END)
    FROM new_payouts n
    HAVING count(*) > 0;
  ELSE
    PERFORM pg_notify('delivery',
                      CASE WHEN length(string_agg(DISTINCT n.player_id::text, ',')) < 7000
                           THEN string_agg(DISTINCT n.player_id::text, ',') ELSE '' END)
    FROM new_payouts n JOIN old_payouts o ON o.redemption_id = n.redemption_id
    WHERE n.status IS DISTINCT FROM o.status OR n.address IS DISTINCT FROM o.address
       OR n.batch_id IS DISTINCT FROM o.batch_id
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER token_payouts_notify_delivery_insert AFTER INSERT ON token_payouts
  REFERENCING NEW TABLE AS new_payouts
  FOR EACH STATEMENT EXECUTE FUNCTION token_payouts_notify_delivery();--> statement-breakpoint
CREATE TRIGGER token_payouts_notify_delivery_update AFTER UPDATE ON token_payouts
  REFERENCING OLD TABLE AS old_payouts NEW TABLE AS new_payouts
  FOR EACH STATEMENT EXECUTE FUNCTION token_payouts_notify_delivery();
