import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote, parseVerifierKey } from "@/lib/tlog/note";
import { generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import {
  fetchCheckpointNote,
  operatorConsistencyProofs,
  readSavedCheckpoint,
} from "./checkpoint-sources";
import { toHex } from "./merkle";

/** A stand-in operator answering every request with one status and body. */
const answering = (status: number, body: string) =>
  (async () => new Response(body, { status })) as unknown as typeof fetch;

const ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
const NOTE = `op.test/log\n5\n${ROOT}\n\n— op.test/log AAAAAAA=\n`;

describe("checkpoint sources", () => {
  it("reads the operator's note, and says when it has none yet", async () => {
    expect(await fetchCheckpointNote("http://op.test", answering(200, NOTE))).toBe(NOTE);
    await expect(fetchCheckpointNote("http://op.test", answering(404, ""))).rejects.toThrow(
      "http://op.test/checkpoint: the log has signed no checkpoint yet",
    );
    await expect(fetchCheckpointNote("http://op.test", answering(500, ""))).rejects.toThrow(
      "answered HTTP 500",
    );
    const huge = "x".repeat(70 * 1024);
    await expect(fetchCheckpointNote("http://op.test", answering(200, huge))).rejects.toThrow(
      /more than 65536 bytes/,
    );
  });

  it("reads a consistency proof's hashes, and refuses anything else", async () => {
    const hash = toHex(new Uint8Array(32).fill(1));
    const ok = operatorConsistencyProofs(
      "http://op.test",
      answering(200, JSON.stringify({ proof: [hash] })),
    );
    expect(await ok(1, 5)).toEqual([new Uint8Array(32).fill(1)]);
    for (const [body, message] of [
      ["not json", /did not answer JSON/],
      [JSON.stringify({ proof: ["0x12"] }), /list of 32-byte hashes/],
      [JSON.stringify({}), /list of 32-byte hashes/],
    ] as const) {
      const proofs = operatorConsistencyProofs("http://op.test", answering(200, body));
      await expect(proofs(1, 5)).rejects.toThrow(message);
    }
  });

  it("reads a saved checkpoint back, for its own log and signed by its key only", async () => {
    const log = generateSignerKey("op.test/log", 0x01);
    const trust = { origin: "op.test/log", logKey: parseVerifierKey(log.vkey) };
    const root = new Uint8Array(32).fill(3);
    const text = formatCheckpoint({ origin: "op.test/log", size: 5, rootHash: root });
    const signed = formatNote(text, [signNote(text, parseSignerKey(log.skey))]);
    expect(await readSavedCheckpoint(signed, trust)).toEqual({ size: 5, rootHash: root });
    await expect(readSavedCheckpoint(signed, { ...trust, origin: "other.test" })).rejects.toThrow(
      'the saved checkpoint is of log "op.test/log", not "other.test"',
    );
    // Another key under the same name (another "operator" claiming this origin), or none at all.
    const impostor = generateSignerKey("op.test/log", 0x01);
    const forged = formatNote(text, [signNote(text, parseSignerKey(impostor.skey))]);
    for (const note of [forged, NOTE]) {
      await expect(readSavedCheckpoint(note, trust)).rejects.toThrow(
        `the saved checkpoint is not signed by the log's key ${log.vkey}`,
      );
    }
    const tampered = signed.replace("\n5\n", "\n6\n");
    await expect(readSavedCheckpoint(tampered, trust)).rejects.toThrow(/invalid signature/);
    await expect(readSavedCheckpoint("op.test/log\n5\n", trust)).rejects.toThrow(/malformed note/);
  });
});
