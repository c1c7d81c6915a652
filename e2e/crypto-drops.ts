import { createDb } from "../db/client";
import { prizes } from "../db/schema";
import { createDrop } from "../lib/drops/drops";
import { createDropSchema } from "../lib/drops/model";
import { embeddedPostgresUrl } from "../scripts/lib/embedded-postgres";
import { E2E_PG_PORT } from "./constants";

/**
 * Live drops of one crypto prize each (`<name> coin`, in `<name> drop`), written straight to the
 * e2e stack's database. A crypto prize is paid once the player links a wallet; a player with none
 * sees the delivery wait, so a claim tells two things: the claim at once, and the wallet to link
 * once the worker has found none.
 */
export async function createCryptoDrops(name: string, count: number): Promise<string[]> {
  const { db, sql: connection } = createDb(embeddedPostgresUrl(E2E_PG_PORT), 1);
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const [prize] = await db
        .insert(prizes)
        .values({
          name: `${name} coin`,
          kind: "crypto",
          valueCents: 500,
          quantity: 1,
          tokenAmount: "1",
          tokenSymbol: "PLT",
        })
        .returning({ id: prizes.id });
      const drop = await createDrop(
        db,
        createDropSchema.parse({
          title: `${name} drop`,
          prizeId: prize?.id,
          units: 1,
          startsAt: new Date(Date.now() - 60_000),
          endsAt: new Date(Date.now() + 3_600_000),
          perPlayerLimit: 1,
        }),
      );
      ids.push(drop.id);
    }
    return ids;
  } finally {
    await connection.end();
  }
}
