-- A bulk change of redemptions (a batch of approvals, expiries) whose players' ids do not fit a
-- notification (8000 bytes) sent none, so open delivery pages never heard of it. It now sends an
-- empty payload, which the pages take as "everyone reads again" (lib/live/player-feeds.ts).
CREATE OR REPLACE FUNCTION deliveries_follow_redemptions() RETURNS trigger LANGUAGE plpgsql AS $$
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
  PERFORM pg_notify('delivery',
                    CASE WHEN length(string_agg(DISTINCT n.player_id::text, ',')) < 7000
                         THEN string_agg(DISTINCT n.player_id::text, ',') ELSE '' END)
  FROM new_redemptions n
  HAVING count(*) FILTER (WHERE n.status IN ('fulfilled', 'expired', 'reversed', 'rejected')) > 0;
  RETURN NULL;
END $$;
