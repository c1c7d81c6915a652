-- Deliveries follow their redemptions in the database, so that no writer (a claim, a catalog
-- purchase, a round's prize, an approval, a reversal, an expiry) can forget one. Statement
-- triggers with transition tables: one insert per batch of redemptions, not one per row.

-- A new redemption gets its delivery, and a job when it is ready (its status fulfilled); a
-- parcel waits for an admin, not for a job.
CREATE FUNCTION deliveries_for_new_redemptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH made AS (
    INSERT INTO deliveries (redemption_id, provider, status, created_at, updated_at)
    SELECT r.id,
           coalesce(p.delivery_provider,
                    (CASE p.kind WHEN 'gift_card' THEN 'pool' WHEN 'crypto' THEN 'token'
                                 ELSE 'shipping' END)::delivery_provider),
           (CASE WHEN r.status = 'fulfilled' THEN 'pending' ELSE 'waiting' END)::delivery_status,
           r.created_at, r.created_at
    FROM new_redemptions r JOIN prizes p ON p.id = r.prize_id
    RETURNING redemption_id, provider, status)
  INSERT INTO job_outbox (queue, data)
  SELECT 'delivery', jsonb_build_object('redemptionId', redemption_id) FROM made
  WHERE status = 'pending' AND provider <> 'shipping';
  IF FOUND THEN PERFORM pg_notify('job_outbox', ''); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER redemptions_new_deliveries AFTER INSERT ON redemptions
  REFERENCING NEW TABLE AS new_redemptions
  FOR EACH STATEMENT EXECUTE FUNCTION deliveries_for_new_redemptions();
--> statement-breakpoint
-- A redemption that becomes fulfilled (approved, released, its address confirmed) starts its
-- delivery; one that ends (expired, reversed, rejected) cancels a delivery that has not gone out.
-- A delivery already submitted or delivered is left as it is: the provider has the order.
CREATE FUNCTION deliveries_follow_redemptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH started AS (
    UPDATE deliveries d SET status = 'pending', updated_at = now()
    FROM new_redemptions n
    WHERE d.redemption_id = n.id AND n.status = 'fulfilled' AND d.status = 'waiting'
    RETURNING d.redemption_id, d.provider)
  INSERT INTO job_outbox (queue, data)
  SELECT 'delivery', jsonb_build_object('redemptionId', redemption_id) FROM started
  WHERE provider <> 'shipping';
  IF FOUND THEN PERFORM pg_notify('job_outbox', ''); END IF;
  UPDATE deliveries d SET status = 'cancelled', updated_at = now()
  FROM new_redemptions n
  WHERE d.redemption_id = n.id AND n.status IN ('expired', 'reversed', 'rejected')
    AND d.status IN ('waiting', 'pending', 'failed', 'dead');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER redemptions_follow_deliveries AFTER UPDATE ON redemptions
  REFERENCING NEW TABLE AS new_redemptions
  FOR EACH STATEMENT EXECUTE FUNCTION deliveries_follow_redemptions();
--> statement-breakpoint
-- Open pages hear of every change of a delivery: the payload names the players (comma
-- separated), or is empty (everyone) when the list would not fit a notification.
CREATE FUNCTION deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE players text;
BEGIN
  SELECT string_agg(DISTINCT r.player_id::text, ',') INTO players
  FROM new_deliveries d JOIN redemptions r ON r.id = d.redemption_id;
  IF players IS NOT NULL THEN
    PERFORM pg_notify('delivery', CASE WHEN length(players) > 7000 THEN '' ELSE players END);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deliveries_changed AFTER UPDATE ON deliveries
  REFERENCING NEW TABLE AS new_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION deliveries_notify();
