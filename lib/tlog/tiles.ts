/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile paths, which tiles a tree size has, and
 * entry bundles. Isomorphic: the server serves tiles with it and verifiers read them with it.
 *
 * A hash tile at level L, index N, holds the Merkle nodes at tree level 8·L with indexes
 * N·256 … N·256+W−1; an entry bundle holds the entries of the level-0 tile of the same index.
 * A tile of width W < 256 is a partial tile: a prefix of the full one, so it never changes either.
 */

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** The highest level the spec's paths allow. */
export const MAX_TILE_LEVEL = 63;

/** `level` "entries" names an entry bundle; `width` 256 a full tile. */
export type Tile = { level: number | "entries"; index: number; width: number };

/** `1234067` → `x001/x234/067`: 3-digit groups, all but the last prefixed with `x`. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad tile index ${index}`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, "0"));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
}

/** The tile's path below the log's prefix, e.g. `tile/1/x001/234.p/17` or `tile/entries/000`. */
export function formatTilePath(tile: Tile): string {
  const partial = tile.width === TILE_WIDTH ? "" : `.p/${tile.width}`;
  return `tile/${tile.level}/${formatTileIndex(tile.index)}${partial}`;
}

// Canonical pieces only: no leading zeros, no signs, no spaces.
const LEVEL = /^(?:0|[1-9]\d?)$/;
const WIDTH = /^[1-9]\d{0,2}$/;
// Five groups reach 10^15, past every safe integer; more are never an index this side has.
const INDEX = /^(?:x\d{3}\/){0,5}\d{3}$/;

/**
 * Reads a tile path (`tile/…`, without the log's prefix) and returns the tile, or null for any
 * path that is not exactly how formatTilePath writes one: `x000/001`, `01`, `.p/256`, `.p/007`
 * and the like name no tile, so a cache never holds the same tile under two names.
 */
export function parseTilePath(path: string): Tile | null {
  const match = /^tile\/([^/]+)\/(.+?)(?:\.p\/([^/]+))?$/.exec(path);
  if (!match) return null;
  const [, levelText = "", indexText = "", widthText] = match;
  let level: Tile["level"];
  if (levelText === "entries") level = "entries";
  else if (LEVEL.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL) level = Number(levelText);
  else return null;
  if (!INDEX.test(indexText)) return null;
  const index = Number(indexText.replaceAll(/[x/]/g, ""));
  if (!Number.isSafeInteger(index) || formatTileIndex(index) !== indexText) return null;
  let width = TILE_WIDTH;
  if (widthText !== undefined) {
    if (!WIDTH.test(widthText) || Number(widthText) >= TILE_WIDTH) return null;
    width = Number(widthText);
  }
  return { level, index, width };
}

/** How many nodes of tree level 8·`level` a tree of `size` leaves has (its complete subtrees). */
export function nodesAtTileLevel(level: number, size: number): number {
  // Division by a power of two is exact, so the floor is too.
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Whether every hash (or entry) of `tile` lies within a tree of `size` leaves. */
export function tileWithin(tile: Tile, size: number): boolean {
  const available = nodesAtTileLevel(tile.level === "entries" ? 0 : tile.level, size);
  return tile.index * TILE_WIDTH + tile.width <= available;
}

/**
 * The tiles a client reads for a tree of `size` leaves: every full tile of each level, and the
 * one partial tile a level has when its node count is not a multiple of 256. Size 70,000 gives
 * 273 full level-0 tiles, `0/273.p/112`, `1/000`, `1/001.p/17` and `2/000.p/1`.
 */
export function tilesForSize(size: number): Tile[] {
  const tiles: Tile[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const nodes = nodesAtTileLevel(level, size);
    if (nodes === 0) break;
    const full = Math.floor(nodes / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (nodes % TILE_WIDTH > 0) tiles.push({ level, index: full, width: nodes % TILE_WIDTH });
  }
  return tiles;
}

/** The entry bundles of a tree of `size` leaves: one per level-0 tile, with the same widths. */
export function entryBundlesForSize(size: number): Tile[] {
  return tilesForSize(size)
    .filter((t) => t.level === 0)
    .map((t) => ({ ...t, level: "entries" }));
}

/** The longest entry a bundle can hold: its length prefix is a big-endian uint16. */
export const MAX_ENTRY_BYTES = 0xffff;

/** Entries as a bundle: each prefixed with its length as a big-endian uint16. */
export function encodeEntryBundle(entries: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(entries.reduce((n, e) => n + 2 + e.length, 0));
  let at = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_BYTES)
      throw new RangeError("an entry is longer than 65,535 bytes");
    out[at] = entry.length >> 8;
    out[at + 1] = entry.length & 0xff;
    out.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return out;
}

/** A bundle's entries; throws on a truncated bundle, or one with more than 256 entries. */
export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (entries.length === TILE_WIDTH)
      throw new Error("the entry bundle has more than 256 entries");
    if (at + 2 > bundle.length) throw new Error("the entry bundle ends inside a length prefix");
    const length = ((bundle[at] ?? 0) << 8) | (bundle[at + 1] ?? 0);
    if (at + 2 + length > bundle.length) throw new Error("the entry bundle ends inside an entry");
    entries.push(bundle.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}
