import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { createDb, type Db } from "@/db/client";
import { type NewUser, prizes, users } from "@/db/schema";
import { flushApiTokenUses } from "@/lib/auth/token-verifier";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { createDrop } from "@/lib/drops/drops";
import type { AllocationMode } from "@/lib/drops/model";
import { createDropSchema, type EligibilityRules } from "@/lib/drops/model";
import type { PrizeKind } from "@/lib/prizes/model";
import type { WaitingRoomInput } from "@/lib/queue/model";
import { databaseUrlFor } from "./database-url";

/**
 * A database of the test file's own, copied from the migrated template before its tests and
 * dropped after them, so files running in parallel never see each other's rows or ledger.
 */
const urls = new WeakMap<Db, string>();

/** The URL of a test file's own database (for a client of its own, such as the job queue's). */
export function testDatabaseUrl(db: Db): string {
  const url = urls.get(db);
  if (!url) throw new Error("not a database of connectTestDb");
  return url;
}

export function connectTestDb(max = 20): Db {
  const server = inject("databaseUrl");
  const name = `test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = databaseUrlFor(server, name);
  const { db, sql } = createDb(url, max);
  urls.set(db, url);
  const admin = () => postgres(server, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    const connection = admin();
    try {
      await connection.unsafe(`create database ${name} template ${inject("templateDatabase")}`);
    } finally {
      await connection.end();
    }
  });
  afterAll(async () => {
    await flushApiTokenUses(db);
    await sql.end({ timeout: 5 });
    const connection = admin();
    try {
      await connection.unsafe(`drop database if exists ${name}`);
    } finally {
      await connection.end();
    }
  });
  return db;
}

/**
 * Players inserted directly (no password hashing: claims never look at it), eligible by default:
 * verified email, 18+ declared, region US (what every claim requires).
 */
export async function createPlayers(
  db: Db,
  count: number,
  overrides: Partial<NewUser> = {},
): Promise<string[]> {
  const tag = randomBytes(6).toString("hex");
  const rows = await db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `player-${tag}-${i}@test.invalid`,
        passwordHash: "not-a-real-hash",
        displayName: `Player ${i}`,
        emailVerifiedAt: new Date(),
        adultDeclaredAt: new Date(),
        region: "US",
        ...overrides,
      })),
    )
    .returning({ id: users.id });
  return rows.map((r) => r.id);
}

/** A prize with one drop of it; the window is relative to now (in ms). */
export async function createTestDrop(
  db: Db,
  {
    units,
    startOffsetMs = -60_000,
    endOffsetMs = 3_600_000,
    kind = "crypto",
    perPlayerLimit = 1,
    eligibility = {},
    allocation = "first_come",
    codes,
    waitingRoom,
  }: {
    units: number;
    startOffsetMs?: number;
    endOffsetMs?: number;
    kind?: PrizeKind;
    perPlayerLimit?: number;
    eligibility?: EligibilityRules;
    allocation?: AllocationMode;
    /**
     * A gift card's pool, imported before the drop is made (a drop takes no more units than
     * codes): these codes, or by default one generated code per unit.
     */
    codes?: string[];
    /** Unset: the default for the units (on from WAITING_ROOM_THRESHOLD). */
    waitingRoom?: WaitingRoomInput;
  },
): Promise<{ dropId: string; prizeId: string }> {
  const [prize] = await db
    .insert(prizes)
    .values({ name: "Test prize", kind, valueCents: 2500, quantity: units })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  if (kind === "gift_card") {
    const pool =
      codes ?? Array.from({ length: units }, () => `GIFT-${randomBytes(8).toString("hex")}`);
    await importGiftCodes(db, prize.id, ["code", ...pool].join("\n"));
  }
  const now = Date.now();
  const drop = await createDrop(
    db,
    createDropSchema.parse({
      title: "Test drop",
      prizeId: prize.id,
      units,
      startsAt: new Date(now + startOffsetMs),
      endsAt: new Date(now + endOffsetMs),
      perPlayerLimit,
      eligibility,
      allocation,
      waitingRoom,
    }),
  );
  return { dropId: drop.id, prizeId: prize.id };
}

/** A shipping address a player confirms for a physical prize in tests. */
export const TEST_SHIPPING_ADDRESS = {
  name: "Ada",
  line1: "1 Main St",
  line2: "",
  city: "Berlin",
  postalCode: "10115",
  country: "DE",
};
