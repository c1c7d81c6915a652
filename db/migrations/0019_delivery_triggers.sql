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
  -- Open pages hear of it (recordDeliveryStep tells them of every other change).
  PERFORM pg_notify('delivery', string_agg(DISTINCT n.player_id::text, ','))
  FROM new_redemptions n
  HAVING count(*) FILTER (WHERE n.status IN ('fulfilled', 'expired', 'reversed', 'rejected')) > 0
     AND length(string_agg(DISTINCT n.player_id::text, ',')) < 7000;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER redemptions_follow_deliveries AFTER UPDATE ON redemptions
  REFERENCING NEW TABLE AS new_redemptions
  FOR EACH STATEMENT EXECUTE FUNCTION deliveries_follow_redemptions();
