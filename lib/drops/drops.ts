import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { dropPools, drops, dropUnits, prizes } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import type { LoyaltyTier } from "@/lib/claims/model";
import { AppError } from "@/lib/errors/app-error";
import { type AdminActor, formatTokenAmount } from "@/lib/prizes/prizes";
import { extendAdmissionsOverPause } from "@/lib/queue/queue";
import { createWaitingRoom, getWaitingRoomSettings, updateWaitingRoom } from "@/lib/queue/settings";
import {
  type AllocationMode,
  type CreateDropInput,
  type DropLiveState,
  type DropView,
  dropStatus,
  type EligibilityRules,
  type UpdateDropInput,
} from "./model";

/** Of prizes row `p`: a gift card whose codes come from its imported pool, not a provider. */
const FROM_CODE_POOL = sql.raw(
  "(p.kind = 'gift_card' and coalesce(p.delivery_provider, 'pool') = 'pool')",
);
/** Of prizes row `p`: the codes of its pool that a claim may still take. */
const UNUSED_CODES = sql.raw(`(select count(*) from gift_codes g
  where g.prize_id = p.id and g.redemption_id is null and g.quarantined_at is null)`);

const columns = {
  id: drops.id,
  title: drops.title,
  description: drops.description,
  endedEarlyAt: drops.endedEarlyAt,
  units: drops.units,
  startsAt: drops.startsAt,
  endsAt: drops.endsAt,
  perPlayerLimit: drops.perPlayerLimit,
  allocation: drops.allocation,
  eligibility: drops.eligibility,
  paused: sql<boolean>`${drops.pausedAt} is not null`,
  started: sql<boolean>`${drops.startsAt} <= now()`,
  ended: sql<boolean>`${drops.endsAt} <= now()`,
  waitingRoom: sql<boolean>`exists (select 1 from drop_queues q
    where q.drop_id = "drops"."id" and q.enabled)`,
  // Written out: inside a subquery, drizzle would render the outer column unqualified. A gift
  // card from a code pool can give no more units than the pool has codes left: a pool that
  // shrank (codes quarantined, taken by the catalog) shows what it can still give.
  remaining: sql<number>`(select coalesce(sum(case when ${FROM_CODE_POOL}
      then least(a.n, ${UNUSED_CODES}) else a.n end), 0)::int
    from (select u.prize_id, count(*) as n from drop_units u
          where u.drop_id = "drops"."id" and u.status = 'available' group by u.prize_id) a
    join prizes p on p.id = a.prize_id)`,
};

type Row = {
  id: string;
  title: string;
  description: string | null;
  endedEarlyAt: Date | null;
  units: number;
  startsAt: Date;
  endsAt: Date;
  perPlayerLimit: number;
  allocation: AllocationMode;
  eligibility: EligibilityRules;
  paused: boolean;
  started: boolean;
  ended: boolean;
  remaining: number;
  waitingRoom: boolean;
};

async function withPools(db: DbOrTx, rows: Row[]): Promise<DropView[]> {
  if (rows.length === 0) return [];
  const pools = await db
    .select({
      id: dropPools.id,
      dropId: dropPools.dropId,
      units: dropPools.units,
      minTier: dropPools.minTier,
      prizeId: prizes.id,
      name: prizes.name,
      kind: prizes.kind,
      valueCents: prizes.valueCents,
      description: prizes.description,
      tokenAmount: prizes.tokenAmount,
      tokenSymbol: prizes.tokenSymbol,
    })
    .from(dropPools)
    .innerJoin(prizes, eq(prizes.id, dropPools.prizeId))
    .where(
      inArray(
        dropPools.dropId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(dropPools.position);
  return rows.map((row) => {
    const own = pools
      .filter((p) => p.dropId === row.id)
      .map((p) => ({
        id: p.id,
        prize: {
          id: p.prizeId,
          name: p.name,
          kind: p.kind,
          valueCents: p.valueCents,
          description: p.description,
          tokenAmount: p.tokenAmount === null ? null : formatTokenAmount(p.tokenAmount),
          tokenSymbol: p.tokenSymbol,
        },
        units: p.units,
        minTier: p.minTier,
      }));
    const status = dropStatus(row);
    const headline = own[0]?.prize;
    if (!headline) throw new Error(`drop ${row.id} has no pool`);
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      prize: headline,
      pools: own,
      units: row.units,
      remaining: row.remaining,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
      perPlayerLimit: row.perPlayerLimit,
      allocation: row.allocation,
      eligibility: row.eligibility,
      status,
      endedEarlyAt: row.endedEarlyAt?.toISOString() ?? null,
      waitingRoom: row.waitingRoom,
    };
  });
}

/** Live and upcoming drops with the database's clock, so pages can correct their countdowns. */
export async function listOpenDrops(
  db: DbOrTx,
): Promise<{ serverTime: string; drops: DropView[] }> {
  const rows = await db
    .select(columns)
    .from(drops)
    .where(gt(drops.endsAt, sql`now()`))
    .orderBy(drops.startsAt);
  return { serverTime: await databaseNow(db), drops: await withPools(db, rows) };
}

export async function listAllDrops(db: DbOrTx): Promise<DropView[]> {
  const rows = await db.select(columns).from(drops).orderBy(desc(drops.startsAt)).limit(500);
  return withPools(db, rows);
}

export async function getDrop(db: DbOrTx, id: string): Promise<DropView | undefined> {
  return (await getDropWithLiveState(db, id))?.drop;
}

export async function dropExists(db: DbOrTx, id: string): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) return false;
  const [row] = await db.select({ id: drops.id }).from(drops).where(eq(drops.id, id));
  return row !== undefined;
}

/** The drop and what its page follows live, from one read of its row (the drop page's). */
export async function getDropWithLiveState(
  db: DbOrTx,
  id: string,
): Promise<{ drop: DropView; live: DropLiveState } | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const rows = await db.select(columns).from(drops).where(eq(drops.id, id));
  const [row] = rows;
  const [drop] = await withPools(db, rows);
  return row && drop ? { drop, live: liveStateOf(row) } : undefined;
}

/** What the drop page follows live (lib/drops/live.ts pushes it), or undefined for no drop. */
export async function getDropLiveState(db: DbOrTx, id: string): Promise<DropLiveState | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await db.select(columns).from(drops).where(eq(drops.id, id));
  return row && liveStateOf(row);
}

function liveStateOf(row: Row): DropLiveState {
  return {
    paused: row.paused,
    remaining: row.remaining,
    units: row.units,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    endedEarlyAt: row.endedEarlyAt?.toISOString() ?? null,
  };
}

export async function databaseNow(db: DbOrTx): Promise<string> {
  const [row] = await db.execute<{ now: string }>(
    sql`select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now`,
  );
  if (!row) throw new Error("no clock from the database");
  return row.now;
}

type Pool = { prizeId: string; units: number; minTier: LoyaltyTier };

/**
 * Takes the pools' units from each prize's unallocated stock, or refuses. The prizes stay locked
 * until the transaction ends, so two drops cannot allocate the same stock. A retired prize goes
 * into no new pool; `keep` lists prizes the drop already had, which it may keep.
 */
async function reserveStock(
  tx: DbOrTx,
  pools: Pool[],
  options: {
    exceptDropId?: string;
    keep?: string[];
    /** The input a pool's units are typed in, for a refusal to be shown beside. */
    unitsField?: (poolIndex: number) => string;
  } = {},
): Promise<void> {
  const prizeIds = [...new Set(pools.map((p) => p.prizeId))];
  const found = await tx
    .select({
      id: prizes.id,
      name: prizes.name,
      quantity: prizes.quantity,
      retiredAt: prizes.retiredAt,
    })
    .from(prizes)
    .where(inArray(prizes.id, prizeIds))
    .for("update");
  for (const prizeId of prizeIds) {
    const prize = found.find((p) => p.id === prizeId);
    if (!prize) throw new AppError("invalid_input", "Prize not found", { field: "prizeId" });
    if (prize.retiredAt && !options.keep?.includes(prizeId)) {
      throw new AppError("invalid_input", `“${prize.name}” is retired: no new drop may use it`, {
        field: "prizeId",
      });
    }
    const [allocated] = await tx
      .select({ units: sql<number>`coalesce(sum(${dropPools.units}), 0)::int` })
      .from(dropPools)
      .where(
        options.exceptDropId
          ? sql`${dropPools.prizeId} = ${prizeId} and ${dropPools.dropId} <> ${options.exceptDropId}`
          : eq(dropPools.prizeId, prizeId),
      );
    const available = prize.quantity - (allocated?.units ?? 0);
    const wanted = pools.filter((p) => p.prizeId === prizeId).reduce((n, p) => n + p.units, 0);
    if (wanted > available) {
      throw new AppError(
        "invalid_input",
        `Only ${available} units of “${prize.name}” are unallocated`,
        { field: "units" },
      );
    }
  }
  await refuseBeyondCodes(tx, pools, options.exceptDropId, options.unitsField ?? (() => "units"));
}

/**
 * A gift card's units are promised codes: a drop may take no more units of a prize than its
 * pool has codes not already promised to other open drops. The caller holds the prizes' rows
 * locked, so two drops made at once take turns here and cannot both count the same codes.
 */
async function refuseBeyondCodes(
  tx: DbOrTx,
  pools: Pool[],
  exceptDropId: string | undefined,
  unitsField: (poolIndex: number) => string,
): Promise<void> {
  const coverage = await readCodeCoverage(
    tx,
    pools.map((p) => p.prizeId),
    exceptDropId,
  );
  for (const prize of coverage) {
    const wanted = pools
      .filter((p) => p.prizeId === prize.prizeId)
      .reduce((n, p) => n + p.units, 0);
    const spare = Math.max(0, prize.codesUnused - prize.promisedElsewhere);
    if (wanted <= spare) continue;
    const promised =
      prize.promisedElsewhere > 0 ? `, ${prize.promisedElsewhere} promised to other drops` : "";
    throw new AppError(
      "invalid_input",
      `Only ${spare} ${spare === 1 ? "code" : "codes"} of “${prize.name}” can go to this drop (${prize.codesUnused} unused in its pool${promised}): import more codes or lower the units`,
      { field: unitsField(pools.findIndex((p) => p.prizeId === prize.prizeId)) },
    );
  }
}

/** A gift card's code pool against the units drops promise from it. */
export type CodeCoverage = {
  prizeId: string;
  name: string;
  /** Codes of the pool not given out yet (quarantined ones excluded). */
  codesUnused: number;
  /** Units other drops may still give of it: open ones, and lotteries not drawn yet. */
  promisedElsewhere: number;
  /** The drop's own units of the prize, and how many of them are not claimed yet. */
  units: number;
  available: number;
};

/**
 * The coverage of the prizes among `prizeIds` that give codes from their pool (others are left
 * out), as seen from drop `dropId` (or a drop not made yet). One statement, so one snapshot: a
 * claim committing meanwhile takes a code and a unit together and leaves the difference exact.
 */
async function readCodeCoverage(
  db: DbOrTx,
  prizeIds: string[],
  dropId: string | undefined,
): Promise<CodeCoverage[]> {
  const own = dropId ?? null;
  return db.execute<CodeCoverage>(sql`
    select p.id as "prizeId", p.name, ${UNUSED_CODES}::int as "codesUnused",
      (select count(*)::int from drop_units u join drops d on d.id = u.drop_id
        where u.prize_id = p.id and u.status = 'available' and d.id is distinct from ${own}::uuid
          and (d.ends_at > now() or (d.allocation = 'lottery' and d.drawn_at is null)))
        as "promisedElsewhere",
      (select count(*)::int from drop_units u where u.prize_id = p.id and u.drop_id = ${own}::uuid)
        as units,
      (select count(*)::int from drop_units u
        where u.prize_id = p.id and u.drop_id = ${own}::uuid and u.status = 'available')
        as available
    from prizes p
    where p.id = any(${sql.param([...new Set(prizeIds)])}::uuid[]) and ${FROM_CODE_POOL}
    order by p.name`);
}

/**
 * For each gift card of the drop that gives codes from its pool: the drop's units against the
 * codes left (what the admin's drop page shows). Empty for other prizes or an unknown drop.
 */
export async function dropCodeCoverage(db: DbOrTx, dropId: string): Promise<CodeCoverage[]> {
  if (!z.uuid().safeParse(dropId).success) return [];
  const pools = await db
    .select({ prizeId: dropPools.prizeId })
    .from(dropPools)
    .where(eq(dropPools.dropId, dropId));
  if (pools.length === 0) return [];
  return readCodeCoverage(
    db,
    pools.map((p) => p.prizeId),
    dropId,
  );
}

const poolUnitsField = (poolIndex: number) => `pools.${poolIndex}.units`;

/** One pool row and one unit row per unit, in the pools' order. */
async function insertPools(tx: DbOrTx, dropId: string, pools: Pool[]): Promise<void> {
  for (const [position, pool] of pools.entries()) {
    const [row] = await tx
      .insert(dropPools)
      .values({ dropId, position, ...pool })
      .returning({ id: dropPools.id });
    if (!row) throw new Error("pool insert returned nothing");
    await tx.execute(sql`
      insert into drop_units (drop_id, pool_id, prize_id)
      select ${dropId}, ${row.id}, ${pool.prizeId} from generate_series(1, ${pool.units})`);
  }
}

/** The audited picture of a drop: what an admin can change. */
async function auditedDrop(tx: DbOrTx, dropId: string) {
  const [drop] = await tx.select().from(drops).where(eq(drops.id, dropId));
  if (!drop) throw new AppError("not_found", "No such drop");
  const pools = await tx
    .select({ prizeId: dropPools.prizeId, units: dropPools.units, minTier: dropPools.minTier })
    .from(dropPools)
    .where(eq(dropPools.dropId, dropId))
    .orderBy(dropPools.position);
  return {
    title: drop.title,
    description: drop.description,
    startsAt: drop.startsAt.toISOString(),
    endsAt: drop.endsAt.toISOString(),
    pausedAt: drop.pausedAt?.toISOString() ?? null,
    endedEarlyAt: drop.endedEarlyAt?.toISOString() ?? null,
    perPlayerLimit: drop.perPlayerLimit,
    allocation: drop.allocation,
    eligibility: drop.eligibility,
    pools,
    waitingRoom: await getWaitingRoomSettings(tx, dropId),
  };
}

/** Creates a drop with one unit row per unit, taking them from each prize's unallocated stock. */
export async function createDrop(
  db: DbOrTx,
  input: CreateDropInput,
  actor?: AdminActor,
): Promise<{ id: string }> {
  const pools = input.pools ?? [
    { prizeId: input.prizeId as string, units: input.units as number, minTier: "bronze" as const },
  ];
  return db.transaction(async (tx) => {
    await reserveStock(tx, pools, { unitsField: input.pools ? poolUnitsField : undefined });
    const [drop] = await tx
      .insert(drops)
      .values({
        title: input.title,
        description: input.description ?? null,
        units: pools.reduce((n, p) => n + p.units, 0),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        perPlayerLimit: input.perPlayerLimit,
        eligibility: input.eligibility,
        allocation: input.allocation,
        // A lottery commits to its secret seed now; the seed is revealed after the draw.
        ...(input.allocation === "lottery" ? lotterySeed() : {}),
      })
      .returning({ id: drops.id });
    if (!drop) throw new Error("drop insert returned nothing");
    await insertPools(tx, drop.id, pools);
    await createWaitingRoom(
      tx,
      { id: drop.id, units: pools.reduce((n, p) => n + p.units, 0), allocation: input.allocation },
      input.waitingRoom,
    );
    if (actor) {
      await recordEvent(tx, {
        ...actor,
        action: "drop_create",
        subject: `drop:${drop.id}`,
        outcome: "ok",
        data: { before: null, after: await auditedDrop(tx, drop.id) },
      });
    }
    return drop;
  });
}

const draftFields = [
  "title",
  "description",
  "pools",
  "startsAt",
  "perPlayerLimit",
  "eligibility",
  "allocation",
] as const;

function actionOf(input: UpdateDropInput): string {
  if (input.end) return "drop_end";
  if (input.start) return "drop_start_now";
  const keys = Object.keys(input);
  if (keys.length === 1 && input.paused !== undefined) {
    return input.paused ? "drop_pause" : "drop_resume";
  }
  return "drop_update";
}

/**
 * Only a scheduled drop, neither ended nor paused, starts now, and nothing else changes with it:
 * a second click (the row is locked) finds it started and is told so.
 */
function refuseStartNow(drop: { started: boolean; paused: boolean }, input: UpdateDropInput): void {
  if (drop.started) {
    throw new AppError("drop_started", "This drop has started already");
  }
  if (drop.paused) {
    throw new AppError("paused", "This drop is paused: resume it before starting it");
  }
  if (Object.keys(input).length > 1) {
    throw new AppError("invalid_input", "Start a drop now on its own, with no other change");
  }
}

/**
 * Changes a drop in one transaction with its audit record. Before the start everything may
 * change (pools are rebuilt from the prizes' stock); once started, players hold units and saw
 * the rules, so only the end may move later, and the drop may be paused, resumed or ended early.
 */
export async function updateDrop(
  db: DbOrTx,
  dropId: string,
  input: UpdateDropInput,
  actor: AdminActor,
): Promise<DropView> {
  if (!z.uuid().safeParse(dropId).success) throw new AppError("not_found", "No such drop");
  await db.transaction(async (tx) => {
    const [drop] = await tx
      .select({
        startsAt: drops.startsAt,
        endsAt: drops.endsAt,
        allocation: drops.allocation,
        paused: sql<boolean>`${drops.pausedAt} is not null`,
        started: sql<boolean>`${drops.startsAt} <= now()`,
        ended: sql<boolean>`${drops.endsAt} <= now()`,
      })
      .from(drops)
      .where(eq(drops.id, dropId))
      .for("update");
    if (!drop) throw new AppError("not_found", "No such drop");
    const before = await auditedDrop(tx, dropId);
    const draftChange = draftFields.filter((f) => input[f] !== undefined);
    if (drop.ended && Object.keys(input).length > 0) {
      throw new AppError("ended", "This drop has ended: it can no longer be changed");
    }
    if (drop.started && draftChange.length > 0) {
      throw new AppError(
        "drop_started",
        `This drop has started: ${draftChange.join(", ")} can no longer change. Its end can move later, and it can be paused or ended early.`,
        { fields: draftChange },
      );
    }
    if (input.end && !drop.started) {
      throw new AppError(
        "not_started",
        "This drop has not started: change its window instead of ending it",
      );
    }
    if (input.start) refuseStartNow(drop, input);
    const startsAt = input.startsAt ?? drop.startsAt;
    const endsAt = input.endsAt ?? drop.endsAt;
    if (input.endsAt !== undefined || input.startsAt !== undefined) {
      if (endsAt <= startsAt) {
        throw new AppError("invalid_input", "End must be after start", { field: "endsAt" });
      }
      if (drop.started && input.endsAt !== undefined && input.endsAt < drop.endsAt) {
        throw new AppError(
          "invalid_input",
          "A started drop's end can only move later; end it early instead",
          { field: "endsAt" },
        );
      }
    }
    if (input.pools) {
      await tx.delete(dropUnits).where(eq(dropUnits.dropId, dropId));
      await tx.delete(dropPools).where(eq(dropPools.dropId, dropId));
      await reserveStock(tx, input.pools, {
        exceptDropId: dropId,
        keep: before.pools.map((p) => p.prizeId),
        unitsField: poolUnitsField,
      });
      await insertPools(tx, dropId, input.pools);
    }
    const allocation = input.allocation ?? drop.allocation;
    if (
      input.waitingRoom !== undefined ||
      input.allocation !== undefined ||
      input.startsAt !== undefined
    ) {
      await updateWaitingRoom(tx, dropId, allocation, input.waitingRoom, {
        startsAtChanged: input.startsAt !== undefined && +input.startsAt !== +drop.startsAt,
      });
    }
    const set: PgUpdateSetSource<typeof drops> = {
      ...(input.title !== undefined && { title: input.title }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.startsAt !== undefined && { startsAt: input.startsAt }),
      ...(input.endsAt !== undefined && { endsAt: input.endsAt }),
      ...(input.perPlayerLimit !== undefined && { perPlayerLimit: input.perPlayerLimit }),
      ...(input.eligibility !== undefined && { eligibility: input.eligibility }),
      ...(input.pools && { units: input.pools.reduce((n, p) => n + p.units, 0) }),
      ...(allocation !== drop.allocation &&
        (allocation === "lottery" ? lotterySeed() : { seed: null, seedHash: null })),
      ...(input.allocation !== undefined && { allocation }),
    };
    if (input.paused !== undefined) {
      set.pausedAt = input.paused ? sql`coalesce(${drops.pausedAt}, now())` : null;
      if (!input.paused) await extendAdmissionsOverPause(tx, dropId);
    }
    // Milliseconds, as join times are stamped: the replay compares the two as published. The
    // clock is read now, after the row lock, not at the transaction's start: joins stamped while
    // this waited for the lock were told "pre-queue" and stay before the start.
    if (input.start) set.startsAt = sql`date_trunc('milliseconds', clock_timestamp())`;
    if (input.end) {
      set.endsAt = sql`now()`;
      set.endedEarlyAt = sql`now()`;
      // The end supersedes a pause: a paused lottery is not drawn, and an ended drop cannot resume.
      set.pausedAt = null;
    }
    if (Object.keys(set).length === 0 && !input.pools && !input.waitingRoom) return;
    if (Object.keys(set).length > 0) await updateRow(tx, dropId, set, input.start === true);
    await recordEvent(tx, {
      ...actor,
      action: actionOf(input),
      subject: `drop:${dropId}`,
      outcome: "ok",
      data: { before, after: await auditedDrop(tx, dropId) },
    });
    // Open drop pages and dashboards follow a pause, a resume, an end or a new window at once.
    await notify(tx, "analytics", dropId);
  });
  const view = await getDrop(db, dropId);
  if (!view) throw new AppError("not_found", "No such drop");
  return view;
}

/**
 * Writes the drop's change. A start-now writes only while the drop has not started by the clock
 * read after the row lock: `started` above is judged at the transaction's start, so a request
 * that began before a concurrent start committed would otherwise start the drop again.
 */
async function updateRow(
  tx: Tx,
  dropId: string,
  set: PgUpdateSetSource<typeof drops>,
  startNow: boolean,
): Promise<void> {
  const notStarted = startNow ? sql`${drops.startsAt} > clock_timestamp()` : undefined;
  const updated = await tx
    .update(drops)
    .set(set)
    .where(and(eq(drops.id, dropId), notStarted))
    .returning({ id: drops.id });
  if (updated.length === 0) throw new AppError("drop_started", "This drop has started already");
}

function lotterySeed(): { seed: Uint8Array; seedHash: Uint8Array } {
  const seed = new Uint8Array(randomBytes(32));
  return { seed, seedHash: new Uint8Array(createHash("sha256").update(seed).digest()) };
}
