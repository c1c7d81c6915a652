import { describe, expect, it } from "vitest";
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entryBundlesForSize,
  formatTileIndex,
  formatTilePath,
  parseTilePath,
  tilesForSize,
  tileWithin,
} from "./tiles";

describe("tile paths", () => {
  it("write the index in x-prefixed 3-digit groups, as the spec's examples", () => {
    expect(formatTileIndex(1234067)).toBe("x001/x234/067");
    expect(formatTileIndex(0)).toBe("000");
    expect(formatTileIndex(1000)).toBe("x001/000");
    expect(formatTilePath({ level: 1, index: 1, width: 17 })).toBe("tile/1/001.p/17");
    expect(formatTilePath({ level: "entries", index: 273, width: 256 })).toBe("tile/entries/273");
  });

  it("read back every path they write", () => {
    for (const tile of [
      { level: 0, index: 0, width: 256 },
      { level: 63, index: 1234067, width: 1 },
      { level: "entries" as const, index: 999, width: 255 },
      { level: 6, index: Number.MAX_SAFE_INTEGER, width: 256 },
    ]) {
      expect(parseTilePath(formatTilePath(tile))).toEqual(tile);
    }
  });

  it("name no tile with a path that is not canonical", () => {
    for (const path of [
      "tile/0/x000/001", // a leading zero group
      "tile/0/1", // not three digits
      "tile/0/0001",
      "tile/00/000", // a level with a leading zero
      "tile/64/000", // beyond the spec's levels
      "tile/-1/000",
      "tile/+1/000",
      "tile/0/000.p/256", // a full tile is never partial
      "tile/0/000.p/0",
      "tile/0/000.p/007",
      "tile/0/000.p/",
      "tile/0/000.p/1/2",
      "tile/0/001/002", // a group without its x
      "tile/0/x001",
      "tile/0/X001/000",
      "tile/0/x001/x002/x003/x004/x005/x006/007", // past every safe index
      "tile/8/0/000", // x/mod's paths carry the height; C2SP's do not
      "tile/data/000",
      "tile/entries",
      "tile/0/000/",
      "tile/ 0/000",
      "tile/0/%30%30%30",
      "/tile/0/000",
      "",
    ]) {
      expect(parseTilePath(path), path).toBeNull();
    }
  });
});

describe("the tiles of a tree size", () => {
  it("are the spec's 277 for 70,000 leaves", () => {
    const tiles = tilesForSize(70_000);
    expect(tiles).toHaveLength(277);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(tiles.slice(273).map(formatTilePath)).toEqual([
      "tile/0/273.p/112",
      "tile/1/000",
      "tile/1/001.p/17",
      "tile/2/000.p/1",
    ]);
    expect(entryBundlesForSize(70_000).at(-1)).toEqual({
      level: "entries",
      index: 273,
      width: 112,
    });
  });

  it("are one full tile and a partial one above for 256 leaves, none for 0", () => {
    expect(tilesForSize(256).map(formatTilePath)).toEqual(["tile/0/000", "tile/1/000.p/1"]);
    expect(tilesForSize(1).map(formatTilePath)).toEqual(["tile/0/000.p/1"]);
    expect(tilesForSize(0)).toEqual([]);
  });

  it("include every prefix of a tile within the size, and nothing past it", () => {
    expect(tileWithin({ level: 0, index: 273, width: 112 }, 70_000)).toBe(true);
    expect(tileWithin({ level: 0, index: 273, width: 5 }, 70_000)).toBe(true);
    expect(tileWithin({ level: 0, index: 273, width: 113 }, 70_000)).toBe(false);
    expect(tileWithin({ level: 0, index: 273, width: 256 }, 70_000)).toBe(false);
    expect(tileWithin({ level: 1, index: 0, width: 256 }, 70_000)).toBe(true);
    expect(tileWithin({ level: 1, index: 1, width: 18 }, 70_000)).toBe(false);
    expect(tileWithin({ level: 2, index: 0, width: 1 }, 70_000)).toBe(true);
    expect(tileWithin({ level: 3, index: 0, width: 1 }, 70_000)).toBe(false);
    expect(tileWithin({ level: "entries", index: 0, width: 256 }, 255)).toBe(false);
    expect(tileWithin({ level: 63, index: 0, width: 1 }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe("entry bundles", () => {
  it("prefix each entry with its length as a big-endian uint16", () => {
    const long = new Uint8Array(0x1234).fill(7);
    const bundle = encodeEntryBundle([new Uint8Array([1, 2, 3]), new Uint8Array(0), long]);
    expect([...bundle.slice(0, 7)]).toEqual([0, 3, 1, 2, 3, 0, 0]);
    expect([...bundle.slice(7, 9)]).toEqual([0x12, 0x34]);
    expect(decodeEntryBundle(bundle)).toEqual([new Uint8Array([1, 2, 3]), new Uint8Array(0), long]);
  });

  it("refuse an entry too long for its prefix, and bundles that are cut short or too long", () => {
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(/65,535/);
    expect(() => decodeEntryBundle(new Uint8Array([0]))).toThrow(/length prefix/);
    expect(() => decodeEntryBundle(new Uint8Array([0, 3, 1, 2]))).toThrow(/inside an entry/);
    expect(() => decodeEntryBundle(new Uint8Array(257 * 2))).toThrow(/more than 256/);
    expect(decodeEntryBundle(new Uint8Array(256 * 2))).toHaveLength(256);
  });
});
