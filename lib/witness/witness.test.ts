import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryLog } from "@/lib/ledger/merkle";
import { encodeBase64 } from "@/lib/tlog/base64";
import { formatNote, openNote, parseVerifierKey } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { parseSizeConflict } from "@/lib/tlog/witness-protocol";
import { memoryLog } from "@/test/memory-log";
import { leafData, memoryAnchors, tempDir, testLog } from "@/test/witness-fixture";
import { loadOrCreateWitnessKey } from "./key";
import { explicitPin, resolveState } from "./start";
import { EVIDENCE_FILE, readState, STATE_FILE } from "./state";
import { createWitness, MAX_WAITING, RETRY_AFTER_SECONDS, type WitnessAnswer } from "./witness";

const NOW_MS = 1_765_000_000_500;
const WITNESS = "witness.test.example";

/** What `resolveState` reads, for a witness on no port with no chain node. */
function configFor(dataDir: string) {
  return {
    dataDir,
    name: WITNESS,
    repin: false,
    rpcUrl: null,
    host: "",
    port: 0,
    log: memoryLog().log,
  };
}

async function setUp(
  options: { dataDir?: string; log?: ReturnType<typeof testLog>; now?: () => number } = {},
) {
  const log = options.log ?? testLog();
  const dataDir = options.dataDir ?? tempDir("witness");
  const anchors = memoryAnchors();
  for (let size = 1; size <= log.tree.size; size++) anchors.roots.set(size, log.tree.root(size));
  const pin = explicitPin({
    origin: log.origin,
    logKey: log.vkey,
    contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    chainId: 31337,
  });
  const logs = memoryLog();
  const state = await resolveState({ ...configFor(dataDir), log: logs.log, source: { pin } });
  const key = loadOrCreateWitnessKey(dataDir, WITNESS);
  const witness = createWitness({
    dataDir,
    key: parseSignerKey(key.skey),
    pin,
    state,
    anchors,
    log: logs.log,
    now: options.now ?? (() => NOW_MS),
  });
  return { log, dataDir, anchors, pin, witness, vkey: key.vkey, lines: logs.lines };
}

async function expectCosigned(answer: WitnessAnswer, note: string, vkey: string) {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
  const opened = await openNote(`${note}${answer.body}`, [parseVerifierKey(vkey)]);
  expect(opened.verified).toEqual([
    { key: parseVerifierKey(vkey), timestamp: Math.floor(NOW_MS / 1000) },
  ]);
}

function expectConflict(answer: WitnessAnswer, size: number) {
  expect(answer.status).toBe(409);
  expect(answer.headers["content-type"]).toBe("text/x.tlog.size");
  expect(parseSizeConflict(answer.body)).toBe(size);
}

function expectRefused(answer: WitnessAnswer, status: number, words: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatch(words);
}

describe("the witness's add-checkpoint", () => {
  it("cosigns the first checkpoint from old 0, then a consistent larger one, persisting each", async () => {
    const { log, witness, vkey, dataDir } = await setUp();
    await expectCosigned(await witness.addCheckpoint(log.body(0, 3)), log.note(3), vkey);
    await expectCosigned(await witness.addCheckpoint(log.body(3, 8)), log.note(8), vkey);
    expect(witness.describe().logs[0]?.size).toBe(8);
    expect(readState(dataDir)?.logs[log.origin]).toMatchObject({
      size: 8,
      root: encodeBase64(log.tree.root(8)),
      cosignedAt: Math.floor(NOW_MS / 1000),
    });
    const evidence = readFileSync(path.join(dataDir, EVIDENCE_FILE), "utf8").trim().split("\n");
    expect(evidence.map((line) => JSON.parse(line).size)).toEqual([3, 8]);
    // What it keeps is the log's note with its own cosignature: it opens with both keys.
    const kept = JSON.parse(evidence[1] ?? "").note as string;
    const opened = await openNote(kept, [parseVerifierKey(log.vkey), parseVerifierKey(vkey)]);
    expect(opened.verified).toHaveLength(2);
  });

  it("cosigns the same checkpoint again (old = its size, empty proof)", async () => {
    const { log, witness, vkey } = await setUp();
    await witness.addCheckpoint(log.body(0, 5));
    await expectCosigned(await witness.addCheckpoint(log.body(5, 5)), log.note(5), vkey);
  });

  it("answers 409 with its size when old is not the size it last cosigned", async () => {
    const { log, witness } = await setUp();
    expectConflict(await witness.addCheckpoint(log.body(2, 5)), 0);
    await witness.addCheckpoint(log.body(0, 5));
    expectConflict(await witness.addCheckpoint(log.body(0, 9)), 5);
    expectConflict(await witness.addCheckpoint(log.body(3, 9)), 5);
  });

  it("answers 409 to a checkpoint of the size it cosigned with another root", async () => {
    const { log, witness } = await setUp();
    await witness.addCheckpoint(log.body(0, 4));
    const fork = new MemoryLog();
    for (let i = 0; i < 4; i++) fork.append(leafData(100 + i));
    const forked = log.note(4, [], fork.root(4));
    expectConflict(await witness.addCheckpoint(log.body(4, 4, { note: forked })), 4);
  });

  it("answers 422 to a consistency proof that does not verify, and keeps its state", async () => {
    const { log, witness, dataDir } = await setUp();
    await witness.addCheckpoint(log.body(0, 3));
    const [first, ...rest] = log.tree.consistencyProof(3, 7);
    const proof = [Uint8Array.from(first ?? [], (byte, i) => (i === 0 ? byte ^ 1 : byte)), ...rest];
    expectRefused(await witness.addCheckpoint(log.body(3, 7, { proof })), 422, /does not verify/);
    expectRefused(
      await witness.addCheckpoint(log.body(3, 7, { proof: [] })),
      422,
      /does not verify/,
    );
    expect(readState(dataDir)?.logs[log.origin]?.size).toBe(3);
  });

  it("answers 404 to a log it does not witness", async () => {
    const { witness } = await setUp();
    const other = testLog("other.example/log");
    expectRefused(
      await witness.addCheckpoint(other.body(0, 3)),
      404,
      /does not witness the log "other.example\/log"/,
    );
  });

  it("answers 403 to a checkpoint signed by another key, or with a broken signature", async () => {
    const { log, witness, dataDir } = await setUp();
    const impostor = testLog(log.origin);
    expectRefused(
      await witness.addCheckpoint(impostor.body(0, 3)),
      403,
      /no valid signature by the log's key/,
    );
    const good = log.note(3);
    const broken = good.replace(
      / (\S+)\n$/,
      (_, sig: string) => ` ${sig.startsWith("A") ? "B" : "A"}${sig.slice(1)}\n`,
    );
    expectRefused(
      await witness.addCheckpoint(log.body(0, 3, { note: broken })),
      403,
      /no valid signature/,
    );
    expect(readState(dataDir)?.logs[log.origin]).toBeUndefined();
  });

  it("cosigns a checkpoint that carries other signatures beside the log's", async () => {
    const { log, witness, vkey } = await setUp();
    const text = log.checkpointText(6);
    const stranger = parseSignerKey(generateSignerKey("stranger.example", 0x01).skey);
    const otherWitness = parseSignerKey(generateSignerKey("other-witness.example", 0x04).skey);
    const note = formatNote(text, [
      signNote(text, stranger),
      signNote(text, log.signer),
      cosign(text, otherWitness, 1_700_000_000),
    ]);
    await expectCosigned(await witness.addCheckpoint(log.body(0, 6, { note })), note, vkey);
  });

  it("answers 400, in words, to malformed bodies and to old beyond the checkpoint", async () => {
    const { log, witness } = await setUp();
    for (const body of [
      "",
      "hello",
      "old 01\n\nx",
      `old 0\n${log.note(3)}`,
      "old 0\n\nnot a note\n",
    ]) {
      expectRefused(await witness.addCheckpoint(body), 400, /^malformed add-checkpoint request: /);
    }
    const extended = `${log.checkpointText(3)}extension line\n`;
    const withExtension = formatNote(extended, [signNote(extended, log.signer)]);
    expectRefused(
      await witness.addCheckpoint(log.body(0, 3, { note: withExtension })),
      400,
      /no checkpoint with extension lines/,
    );
    const textOnly = `old 0\n\n${log.checkpointText(3)}`;
    expectRefused(await witness.addCheckpoint(textOnly), 400, /malformed/);
    const proofFromZero = `old 0\n${encodeBase64(log.tree.root(1))}\n\n${log.note(3)}`;
    expectRefused(await witness.addCheckpoint(proofFromZero), 400, /proof must be empty/);
    expectRefused(
      await witness.addCheckpoint(log.body(5, 3, { proof: [] })),
      400,
      /old size 5 is larger than the checkpoint's size 3/,
    );
  });

  it("cosigns only what the contract holds: 503 while unanchored or unreachable, 422 on another root", async () => {
    const { log, witness, anchors, lines, dataDir } = await setUp();
    anchors.roots.delete(3);
    const absent = await witness.addCheckpoint(log.body(0, 3));
    expectRefused(absent, 503, /holds no checkpoint of size 3 yet/);
    expect(absent.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
    anchors.down = true;
    const down = await witness.addCheckpoint(log.body(0, 4));
    expectRefused(down, 503, /the chain could not be read: connection refused/);
    expect(down.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
    anchors.down = false;
    anchors.roots.set(4, log.tree.root(5));
    expectRefused(
      await witness.addCheckpoint(log.body(0, 4)),
      422,
      /holds a different root for size 4/,
    );
    expect(lines.find((line) => line.event === "witness.log_misbehaved")).toMatchObject({
      level: "error",
      size: 4,
      signedRoot: encodeBase64(log.tree.root(4)),
      contractRoot: encodeBase64(log.tree.root(5)),
    });
    expect(readState(dataDir)?.logs[log.origin]).toBeUndefined();
  });

  it("of two different checkpoints from the same old size at once, cosigns exactly one", async () => {
    const { log, witness, vkey, dataDir } = await setUp();
    await witness.addCheckpoint(log.body(0, 3));
    const answers = await Promise.all([
      witness.addCheckpoint(log.body(3, 6)),
      witness.addCheckpoint(log.body(3, 9)),
    ]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409]);
    const wonAt = answers[0]?.status === 200 ? 6 : 9;
    const won = answers.find((answer) => answer.status === 200) as WitnessAnswer;
    await expectCosigned(won, log.note(wonAt), vkey);
    expectConflict(answers.find((answer) => answer.status === 409) as WitnessAnswer, wonAt);
    expect(readState(dataDir)?.logs[log.origin]?.size).toBe(wonAt);
  });
});

describe("the witness's state", () => {
  it("survives a restart: the next start remembers the size it cosigned", async () => {
    const first = await setUp();
    await first.witness.addCheckpoint(first.log.body(0, 7));
    const again = await setUp({ dataDir: first.dataDir, log: first.log });
    expect(again.vkey).toBe(first.vkey);
    expectConflict(await again.witness.addCheckpoint(first.log.body(0, 9)), 7);
    await expectCosigned(
      await again.witness.addCheckpoint(first.log.body(7, 9)),
      first.log.note(9),
      first.vkey,
    );
  });

  it("refuses to start on a damaged state file, in words", async () => {
    const { dataDir, log } = await setUp();
    const file = path.join(dataDir, STATE_FILE);
    writeFileSync(file, "{ half a file");
    await expect(setUp({ dataDir, log })).rejects.toThrow(
      /is not JSON: the witness's state is damaged; refusing to start/,
    );
    writeFileSync(file, JSON.stringify({ version: 1, pin: {}, logs: {} }));
    await expect(setUp({ dataDir, log })).rejects.toThrow(
      /is not a witness state \(pin.origin: .*\); refusing to start/,
    );
  });

  it("refuses a log whose identity changed unless repinned, keeping what it cosigned", async () => {
    const { dataDir, log, pin, witness } = await setUp();
    await witness.addCheckpoint(log.body(0, 5));
    const config = configFor(dataDir);
    const rotated = { ...pin, logKey: generateSignerKey(log.origin, 0x01).vkey };
    await expect(
      resolveState({ ...config, repin: false, source: { pin: rotated } }),
    ).rejects.toThrow(
      /the log's identity changed: pinned origin log.example\/witness-test, log key .*; now .*start again with --repin/,
    );
    const repinned = await resolveState({ ...config, repin: true, source: { pin: rotated } });
    expect(repinned.pin).toEqual(rotated);
    expect(repinned.logs[log.origin]?.size).toBe(5);
    expect(readState(dataDir)?.pin).toEqual(rotated);
    expect((await resolveState({ ...config, repin: false, source: "stored" })).pin).toEqual(
      rotated,
    );
  });

  it("pins what the log's published document says on first start", async () => {
    const log = testLog();
    const dataDir = tempDir("witness-tofu");
    const document = {
      version: 1,
      chainId: 31337,
      contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      deploymentBlock: 1,
      receiptSigners: [],
      rpcUrl: "http://127.0.0.1:8545",
      log: { origin: log.origin, key: log.vkey },
    };
    const asked: string[] = [];
    const fetchFn = (async (url: URL) => {
      asked.push(String(url));
      return new Response(JSON.stringify(document), {
        headers: { "content-type": "application/json" },
      });
    }) as typeof fetch;
    const config = { ...configFor(dataDir), fetchFn };
    const state = await resolveState({ ...config, source: { logUrl: "https://log.example/" } });
    expect(asked).toEqual(["https://log.example/.well-known/prizeledger.json"]);
    expect(state.pin).toEqual({
      origin: log.origin,
      logKey: log.vkey,
      chainId: 31337,
      contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    });
    document.contract = "0x0000000000000000000000000000000000000001";
    await expect(
      resolveState({ ...config, source: { logUrl: "https://log.example/" } }),
    ).rejects.toThrow(/identity changed.*--repin/);
    await expect(
      resolveState({
        ...config,
        dataDir: tempDir("witness-http"),
        source: { logUrl: "http://log.example/" },
      }),
    ).rejects.toThrow(
      "The operator URL must be https (or http on this machine): http://log.example/",
    );
    await resolveState({
      ...config,
      dataDir: tempDir("witness-loopback"),
      source: { logUrl: "http://127.0.0.1:3000" },
    });
    expect(asked.at(-1)).toBe("http://127.0.0.1:3000/.well-known/prizeledger.json");
    const bare = { ...document, log: undefined };
    const without = (async () => new Response(JSON.stringify(bare))) as unknown as typeof fetch;
    await expect(
      resolveState({
        ...config,
        dataDir: tempDir("witness-nolog"),
        fetchFn: without,
        source: { logUrl: "https://log.example/" },
      }),
    ).rejects.toThrow(/names no transparency log/);
  });
});

describe("the witness under a hostile client", () => {
  /** Counts the chain reads behind the anchors. */
  function countCalls(anchors: ReturnType<typeof memoryAnchors>) {
    const calls = { count: 0 };
    const rootAt = anchors.rootAt;
    anchors.rootAt = (size) => {
      calls.count++;
      return rootAt(size);
    };
    return calls;
  }

  it("answers replays of its latest checkpoint with its stored cosignature: no chain call, no write", async () => {
    const { log, witness, anchors, dataDir } = await setUp();
    const first = await witness.addCheckpoint(log.body(0, 5));
    expect(first.status).toBe(200);
    const calls = countCalls(anchors);
    const evidence = () => readFileSync(path.join(dataDir, EVIDENCE_FILE), "utf8");
    const before = { evidence: evidence(), state: readFileSync(path.join(dataDir, STATE_FILE)) };
    for (let i = 0; i < 100; i++) {
      const again = await witness.addCheckpoint(log.body(5, 5));
      expect(again).toEqual(first);
    }
    expect(calls.count).toBe(0);
    expect(evidence()).toBe(before.evidence);
    expect(readFileSync(path.join(dataDir, STATE_FILE))).toEqual(before.state);
    // A replay is still checked: another root for that size is a conflict.
    const fork = new MemoryLog();
    for (let i = 0; i < 5; i++) fork.append(leafData(200 + i));
    expectConflict(
      await witness.addCheckpoint(log.body(5, 5, { note: log.note(5, [], fork.root(5)) })),
      5,
    );
  });

  it("keeps only the checkpoint, the log's signature and its own in the evidence", async () => {
    const { log, witness, vkey, dataDir } = await setUp();
    const text = log.checkpointText(4);
    const junk = Array.from({ length: 20 }, (_, i) =>
      signNote(text, parseSignerKey(generateSignerKey(`junk${i}.example`, 0x01).skey)),
    );
    const note = formatNote(text, [...junk.slice(0, 10), signNote(text, log.signer), ...junk]);
    const answer = await witness.addCheckpoint(log.body(0, 4, { note }));
    await expectCosigned(answer, note, vkey);
    const kept = JSON.parse(readFileSync(path.join(dataDir, EVIDENCE_FILE), "utf8")).note;
    expect(kept).toBe(formatNote(text, [signNote(text, log.signer), answer.body]));
    expect(readState(dataDir)?.logs[log.origin]?.note).toBe(kept);
  });

  it("answers 503 with Retry-After once too many requests wait for the queue", async () => {
    const { log, witness, anchors } = await setUp();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const rootAt = anchors.rootAt;
    anchors.rootAt = async (size) => {
      await held;
      return rootAt(size);
    };
    const sent = Array.from({ length: MAX_WAITING + 1 }, () =>
      witness.addCheckpoint(log.body(0, 3)),
    );
    // The queued ones wait for the held chain, so the one answered first is the one refused.
    const busy = await Promise.race(sent);
    expectRefused(busy, 503, /busy with other requests/);
    expect(busy.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
    release();
    const statuses = (await Promise.all(sent)).map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(MAX_WAITING - 1).fill(409), 503]);
    expect((await witness.addCheckpoint(log.body(3, 6))).status).toBe(200);
  });

  it("never dates a cosignature before the last one, even when the clock steps back", async () => {
    let clock = 2_000_000_000_000;
    const { log, witness, vkey, dataDir } = await setUp({ now: () => clock });
    await witness.addCheckpoint(log.body(0, 8));
    clock -= 60_000;
    const later = await witness.addCheckpoint(log.body(8, 12));
    const opened = await openNote(`${log.note(12)}${later.body}`, [parseVerifierKey(vkey)]);
    expect(opened.verified[0]?.timestamp).toBe(2_000_000_000);
    expect(readState(dataDir)?.logs[log.origin]?.cosignedAt).toBe(2_000_000_000);
  });

  it("refuses to cosign, loudly, while its last cosignature is ahead of its clock beyond the skew", async () => {
    let clock = 2_000_000_000_000;
    const { log, witness, dataDir, lines } = await setUp({ now: () => clock });
    await witness.addCheckpoint(log.body(0, 8));
    // The clock was briefly an hour fast: that time must not be carried into later cosignatures.
    clock -= 3_600_000;
    const answer = await witness.addCheckpoint(log.body(8, 12));
    expectRefused(
      answer,
      503,
      /last cosignature is dated 2033-05-18T03:33:20\.000Z, ahead of its clock/,
    );
    expect(
      lines.find((line) => line.event === "witness.clock_behind_last_cosignature"),
    ).toMatchObject({ level: "error", lastCosignedAt: 2_000_000_000 });
    expect(readState(dataDir)?.logs[log.origin]?.size).toBe(8);
    clock += 3_600_000;
    expect((await witness.addCheckpoint(log.body(8, 12))).status).toBe(200);
  });

  it("takes the size on disk into memory after a conflict at the write", async () => {
    const { log, witness: stale, dataDir } = await setUp();
    const current = await setUp({ dataDir, log });
    expect((await current.witness.addCheckpoint(log.body(0, 3))).status).toBe(200);
    // The stale witness's memory still says 0: the compare-and-swap against the disk refuses.
    expectConflict(await stale.addCheckpoint(log.body(0, 5)), 3);
    // Its memory now agrees with the disk, so the log's next request is cosigned.
    expect((await stale.addCheckpoint(log.body(3, 5))).status).toBe(200);
    expect(stale.describe().logs[0]?.size).toBe(5);
  });
});
