import { describe, expect, it } from "vitest";
import { decodeBase64 } from "./base64";
import { formatCheckpoint, parseCheckpoint } from "./checkpoint";
import { NoteError } from "./note";

// tlog-checkpoint's example.
const ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
const TEXT = `example.com/behind-the-sofa\n20852163\n${ROOT}\n`;

describe("checkpoints", () => {
  it("formats three lines and parses them back", () => {
    const rootHash = decodeBase64(ROOT);
    expect(
      formatCheckpoint({ origin: "example.com/behind-the-sofa", size: 20852163, rootHash }),
    ).toBe(TEXT);
    expect(parseCheckpoint(TEXT)).toEqual({
      origin: "example.com/behind-the-sofa",
      size: 20852163,
      rootHash,
      extensions: [],
    });
  });

  it("keeps extension lines and reads the empty tree", () => {
    expect(parseCheckpoint(`${TEXT}ext one\n`).extensions).toEqual(["ext one"]);
    expect(parseCheckpoint(`log\n0\n${ROOT}\n`).size).toBe(0);
    expect(parseCheckpoint(`log\n${Number.MAX_SAFE_INTEGER}\n${ROOT}\n`).size).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ["no final newline", TEXT.slice(0, -1), /end with a newline/],
    ["two lines", `log\n1\n`, /three lines/],
    ["an empty origin", `\n1\n${ROOT}\n`, /origin/],
    ["a space in the origin", `my log\n1\n${ROOT}\n`, /origin/],
    ["a '+' in the origin", `my+log\n1\n${ROOT}\n`, /origin/],
    ["a leading zero", `log\n01\n${ROOT}\n`, /leading zeros/],
    ["a sign", `log\n+1\n${ROOT}\n`, /decimal/],
    ["a size past 2^53", `log\n9007199254740992\n${ROOT}\n`, /decimal/],
    ["a short root", `log\n1\nAAAA\n`, /32 bytes/],
    ["a root in bad base64", `log\n1\n${ROOT.slice(0, -1)}\n`, /base64/],
    ["an empty extension line", `${TEXT}\n`, /extension/],
    ["a control character", `${TEXT}ext\u0007\n`, /control characters/],
  ])("refuses %s", (_, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(NoteError);
    expect(() => parseCheckpoint(text)).toThrow(message);
  });

  it("refuses to format what it could not parse", () => {
    const rootHash = decodeBase64(ROOT);
    expect(() => formatCheckpoint({ origin: "a b", size: 1, rootHash })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: "log", size: -1, rootHash })).toThrow(/size/);
    expect(() =>
      formatCheckpoint({ origin: "log", size: 1, rootHash: rootHash.subarray(1) }),
    ).toThrow(/32 bytes/);
  });
});
