/**
 * The lottery draw, version 1: pure and isomorphic, so the server, the browser and the replay
 * script run the very same code. docs/lottery.md states it precisely enough to reimplement.
 *
 * Weighted sampling without replacement (Efraimidis–Spirakis): every entrant gets a uniform
 * u in (0, 1] derived from the seed, and the key u^(1/w); ranking by descending key picks the
 * first place with probability w / Σw, the second among the rest the same way, and so on.
 * The keys are compared exactly, in integers, with no floating point: with L the least common
 * multiple of the weights, u^(1/w) orders like u^(L/w), and with u = (H + 1) / 2^256
 * (H = the 256-bit hash) that is the integer (H + 1)^(L/w) · 2^(256·(L − L/w)) over 2^(256·L).
 */
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";

export const LOTTERY_ALGORITHM = "prizeledger-lottery/v1";

const ENTRANT_DOMAIN = utf8ToBytes("prizeledger/entrant/v1");
const DRAW_DOMAIN = utf8ToBytes("prizeledger/lottery/v1");
/** Keeps the exact keys small: L = 64 means 16,384-bit integers at most. */
const MAX_WEIGHT_LCM = 64;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{64}$/;

export type LotteryEntry = {
  /** The entrant's public pseudonym: see entrantId. */
  entrant: string;
  /** A positive integer: 1 bronze, 2 silver, 4 gold. */
  weight: number;
};

export type DrawInput = {
  /** The 32-byte secret seed committed to (by its SHA-256) when the drop was created. */
  seed: Uint8Array;
  dropId: string;
  entries: LotteryEntry[];
};

function canonicalUuid(id: string, what: string): string {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new Error(`${what} is not a UUID: ${id}`);
  return lower;
}

/**
 * A player's public pseudonym in one drop: hex SHA-256("prizeledger/entrant/v1" ‖ dropId ‖
 * playerId), both ids as lowercase UUID text. The published entry list names no account, and a
 * player who knows their own id can find themselves in it.
 */
export function entrantId(dropId: string, playerId: string): string {
  return bytesToHex(
    sha256(
      concatBytes(
        ENTRANT_DOMAIN,
        utf8ToBytes(canonicalUuid(dropId, "dropId")),
        utf8ToBytes(canonicalUuid(playerId, "playerId")),
      ),
    ),
  );
}

export function seedHash(seed: Uint8Array): string {
  return bytesToHex(sha256(seed));
}

/** Entries in the canonical order of the published list: by entrant, ascending. */
export function sortEntries(entries: LotteryEntry[]): LotteryEntry[] {
  return [...entries].sort((a, b) => (a.entrant < b.entrant ? -1 : a.entrant > b.entrant ? 1 : 0));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function validate(input: DrawInput): { dropId: string; lcm: number } {
  if (input.seed.length !== 32) throw new Error("The seed must be 32 bytes");
  const dropId = canonicalUuid(input.dropId, "dropId");
  const seen = new Set<string>();
  let lcm = 1;
  for (const { entrant, weight } of input.entries) {
    if (!HEX32.test(entrant)) throw new Error(`Entrant is not 64 lowercase hex digits: ${entrant}`);
    if (seen.has(entrant)) throw new Error(`Entrant listed twice: ${entrant}`);
    seen.add(entrant);
    if (!Number.isInteger(weight) || weight < 1) {
      throw new Error(`Weight of ${entrant} is not a positive integer: ${weight}`);
    }
    lcm = (lcm / gcd(lcm, weight)) * weight;
    if (lcm > MAX_WEIGHT_LCM) throw new Error(`The weights' LCM exceeds ${MAX_WEIGHT_LCM}`);
  }
  return { dropId, lcm };
}

/** H: SHA-256("prizeledger/lottery/v1" ‖ seed ‖ dropId ‖ entrant bytes) as a big-endian integer. */
function entrantHash(seed: Uint8Array, dropId: string, entrant: string): bigint {
  const digest = sha256(concatBytes(DRAW_DOMAIN, seed, utf8ToBytes(dropId), hexToBytes(entrant)));
  return BigInt(`0x${bytesToHex(digest)}`);
}

/**
 * The full ranking of the entrants, best first: the first entrant that can be granted a unit
 * wins the first, and so on down the list. The order of `entries` does not matter.
 */
export function rankEntrants(input: DrawInput): string[] {
  const { dropId, lcm } = validate(input);
  const L = BigInt(lcm);
  const keyed = sortEntries(input.entries).map(({ entrant, weight }) => {
    const power = L / BigInt(weight);
    const u = entrantHash(input.seed, dropId, entrant) + 1n;
    return { entrant, key: (u ** power) << (256n * (L - power)) };
  });
  // Equal keys would need equal hashes; the entrant breaks the tie anyway, for totality.
  keyed.sort((a, b) =>
    a.key !== b.key ? (a.key > b.key ? -1 : 1) : a.entrant < b.entrant ? -1 : 1,
  );
  return keyed.map((k) => k.entrant);
}

/** What GET /api/v1/drops/{dropId}/lottery publishes. */
export type LotteryTranscript = {
  algorithm: typeof LOTTERY_ALGORITHM;
  dropId: string;
  title: string;
  units: number;
  startsAt: string;
  endsAt: string;
  /** Hex SHA-256 of the seed, published from the drop's creation. */
  seedHash: string;
  /** Hex seed, revealed once drawn (null before). */
  seed: string | null;
  drawnAt: string | null;
  /** Sorted by entrant. */
  entries: LotteryEntry[];
  /** Entrants granted a unit, in ranking order (null before the draw). */
  winners: string[] | null;
  /** Entrants ranked high enough but refused at the draw (no longer eligible, …), with why. */
  skipped: Array<{ entrant: string; reason: string }> | null;
};

export type ReplayCheck = { label: string; ok: boolean; detail: string };
export type ReplayResult = { ok: boolean; checks: ReplayCheck[]; ranking: string[] };

/**
 * Replays a drawn lottery from its transcript: the seed matches the commitment, and the winners
 * are exactly the first entrants of the recomputed ranking, passing over only the skipped ones,
 * until the units or the entrants ran out.
 */
export function replayTranscript(t: LotteryTranscript): ReplayResult {
  const checks: ReplayCheck[] = [];
  const fail = (label: string, detail: string): ReplayResult => ({
    ok: false,
    checks: [...checks, { label, ok: false, detail }],
    ranking: [],
  });
  if (t.algorithm !== LOTTERY_ALGORITHM) {
    return fail("Algorithm", `unknown algorithm ${t.algorithm}; this replays ${LOTTERY_ALGORITHM}`);
  }
  if (t.seed === null || t.winners === null) {
    return fail("Seed revealed", "the draw has not happened yet: the seed is still secret");
  }
  if (!HEX32.test(t.seed)) return fail("Seed revealed", "the seed is not 32 bytes of hex");
  const seed = hexToBytes(t.seed);
  const hash = seedHash(seed);
  checks.push({
    label: "Seed matches the commitment",
    ok: hash === t.seedHash,
    detail: `SHA-256(seed) = ${hash}`,
  });
  let ranking: string[];
  try {
    ranking = rankEntrants({ seed, dropId: t.dropId, entries: t.entries });
  } catch (error) {
    return fail("Ranking", error instanceof Error ? error.message : String(error));
  }
  checks.push({
    label: "Ranking recomputed",
    ok: true,
    detail: `${ranking.length} entr${ranking.length === 1 ? "y" : "ies"} ranked`,
  });
  const skipped = new Set((t.skipped ?? []).map((s) => s.entrant));
  const eligible = ranking.filter((e) => !skipped.has(e));
  const expected = eligible.slice(0, Math.min(t.units, eligible.length));
  const same =
    expected.length === t.winners.length && expected.every((e, i) => t.winners?.[i] === e);
  checks.push({
    label: "Winners match the ranking",
    ok: same,
    detail: same
      ? `the ${expected.length} published winner(s) are the top of the ranking`
      : `expected ${expected.length} winner(s) [${expected.map(short).join(", ")}], published ${t.winners.length} [${t.winners.map(short).join(", ")}]`,
  });
  // The draw walks the ranking until the units run out: nobody ranked below the last winner
  // can have been considered, so cannot have been skipped.
  const lastWinner = t.winners.length > 0 ? ranking.indexOf(t.winners.at(-1) as string) : -1;
  const stoppedEarly = t.winners.length === t.units;
  const misplaced = (t.skipped ?? []).filter(
    (s) =>
      !ranking.includes(s.entrant) || (stoppedEarly && ranking.indexOf(s.entrant) > lastWinner),
  );
  checks.push({
    label: "Skipped entrants",
    ok: misplaced.length === 0,
    detail:
      misplaced.length > 0
        ? `${misplaced.length} skipped entrant(s) the draw could not have reached: ${misplaced.map((s) => short(s.entrant)).join(", ")}`
        : skipped.size === 0
          ? "no entrant was passed over"
          : `${skipped.size} entrant(s) passed over (refused a unit at the draw): ${(t.skipped ?? []).map((s) => `${short(s.entrant)} ${s.reason}`).join(", ")}`,
  });
  return { ok: checks.every((c) => c.ok), checks, ranking };
}

function short(entrant: string): string {
  return `${entrant.slice(0, 10)}…`;
}
