import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { type DeliveryRow, toView } from "./deliveries";
import type { DeliveryView } from "./model";

/** A delivery as admins see it: the player's view plus the attempts and the last failure. */
export type AdminDeliveryView = DeliveryView & {
  redemptionId: string;
  attempts: number;
  lastErrorCode: string | null;
  lastError: string | null;
};

/** A delivery that needs an eye, with what it delivers and to whom. */
export type TroubledDelivery = AdminDeliveryView & {
  prizeName: string;
  playerEmail: string;
};

export type AdminDeliveryRow = DeliveryRow & {
  redemption_id: string;
  attempts: number;
  last_error_code: string | null;
  last_error: string | null;
};

/** The columns of an AdminDeliveryRow, from `deliveries d`. */
export const adminDeliveryColumns = sql`d.redemption_id::text, d.status, d.provider, d.reference, d.tx_hash,
                    d.shipment_step, d.carrier, d.updated_at::text, d.attempts, d.last_error_code,
                    d.last_error`;

export function toAdminView(row: AdminDeliveryRow): AdminDeliveryView {
  return {
    ...toView(row),
    redemptionId: row.redemption_id,
    attempts: row.attempts,
    lastErrorCode: row.last_error_code,
    lastError: row.last_error,
  };
}

/** A redemption's delivery with its attempts and last error, or null when it has none. */
export async function findAdminDelivery(
  db: DbOrTx,
  redemptionId: string,
): Promise<AdminDeliveryView | null> {
  if (!z.uuid().safeParse(redemptionId).success) return null;
  const [row] = await db.execute<AdminDeliveryRow>(sql`
    select ${adminDeliveryColumns} from deliveries d where d.redemption_id = ${redemptionId}`);
  return row ? toAdminView(row) : null;
}

/**
 * Dead deliveries (waiting for an admin) and failed ones (retrying), most recently changed first,
 * up to `limit` of each: read from the (status, updated_at) index.
 */
export async function listTroubledDeliveries(db: DbOrTx, limit = 100): Promise<TroubledDelivery[]> {
  const rows = await db.execute<
    AdminDeliveryRow & { prize_name: string; player_email: string }
  >(sql`
    select t.*, p.name as prize_name, u.email as player_email
    from (
      (select ${adminDeliveryColumns} from deliveries d where d.status = 'dead'
       order by d.updated_at desc limit ${limit})
      union all
      (select ${adminDeliveryColumns} from deliveries d where d.status = 'failed'
       order by d.updated_at desc limit ${limit})
    ) t
    join redemptions r on r.id = t.redemption_id::uuid
    join prizes p on p.id = r.prize_id
    join users u on u.id = r.player_id
    order by t.status = 'dead' desc, t.updated_at desc`);
  return rows.map((row) => ({
    ...toAdminView(row),
    prizeName: row.prize_name,
    playerEmail: row.player_email,
  }));
}
