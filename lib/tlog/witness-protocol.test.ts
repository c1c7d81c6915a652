import { describe, expect, it } from "vitest";
import { NoteError } from "./note";
import { formatAddCheckpoint, parseAddCheckpoint, parseSizeConflict } from "./witness-protocol";

const ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
const NOTE = `log\n5\n${ROOT}\n\n— log AAAAAAA=\n`;
const hash = (byte: number) => new Uint8Array(32).fill(byte);
const HASH_LINE = `${"A".repeat(43)}=\n`;

describe("the add-checkpoint body", () => {
  it("formats and parses the old size, the proof and the note", () => {
    const request = { oldSize: 3, proof: [hash(1), hash(2)], note: NOTE };
    const body = formatAddCheckpoint(request);
    expect(body).toBe(
      `old 3\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\nAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n\n${NOTE}`,
    );
    expect(parseAddCheckpoint(body)).toEqual(request);
    expect(parseAddCheckpoint(`old 0\n\n${NOTE}`)).toEqual({ oldSize: 0, proof: [], note: NOTE });
  });

  it.each([
    ["no old line", `\n${NOTE}`, /starts with "old <size>"/],
    ["a leading zero", `old 03\n\n${NOTE}`, /starts with "old <size>"/],
    ["a negative size", `old -1\n\n${NOTE}`, /starts with "old <size>"/],
    ["two spaces", `old  3\n\n${NOTE}`, /starts with "old <size>"/],
    ["no blank line", `old 3\n${HASH_LINE}`, /blank line/],
    ["no note", `old 3\n${HASH_LINE}\n`, /blank line/],
    ["a proof from 0", `old 0\n${HASH_LINE}\n${NOTE}`, /empty when the old size is 0/],
    ["a short hash", `old 3\nAAAA\n\n${NOTE}`, /32 bytes/],
    ["a hash in bad base64", `old 3\n${"A".repeat(43)}\n\n${NOTE}`, /proof line 1.*base64/],
    ["64 hashes", `old 3\n${HASH_LINE.repeat(64)}\n${NOTE}`, /at most 63/],
    ["an unsigned note", `old 3\n\nlog\n5\n${ROOT}\n`, /malformed note/],
  ])("refuses %s", (_, body, message) => {
    expect(() => parseAddCheckpoint(body)).toThrow(NoteError);
    expect(() => parseAddCheckpoint(body)).toThrow(message);
  });

  it("accepts 63 hashes", () => {
    expect(parseAddCheckpoint(`old 3\n${HASH_LINE.repeat(63)}\n${NOTE}`).proof).toHaveLength(63);
  });

  it("refuses to format a malformed request", () => {
    expect(() => formatAddCheckpoint({ oldSize: 0, proof: [hash(1)], note: NOTE })).toThrow(
      /empty/,
    );
    expect(() => formatAddCheckpoint({ oldSize: 1.5, proof: [], note: NOTE })).toThrow(
      /whole number/,
    );
    expect(() =>
      formatAddCheckpoint({ oldSize: 1, proof: [hash(1).subarray(1)], note: NOTE }),
    ).toThrow(/32 bytes/);
    expect(() => formatAddCheckpoint({ oldSize: 1, proof: [], note: "log\n" })).toThrow(
      /malformed note/,
    );
  });
});

describe("the 409 size answer", () => {
  it("reads '<size>\\n'", () => {
    expect(parseSizeConflict("0\n")).toBe(0);
    expect(parseSizeConflict("20852163\n")).toBe(20852163);
  });

  it.each(["", "12", "012\n", "1 2\n", "-1\n", "9007199254740992\n", "12\n\n"])(
    "refuses %j",
    (body) => {
      expect(() => parseSizeConflict(body)).toThrow(/size-conflict answer/);
    },
  );
});
