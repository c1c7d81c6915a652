import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as consistencyGET } from "@/app/api/v1/ledger/proofs/consistency/route";
import { GET as inclusionGET } from "@/app/api/v1/ledger/proofs/inclusion/route";
import { GET as tileGET } from "@/app/tile/[...path]/route";
import type { Db } from "@/db/client";
import { checkpoints } from "@/db/schema";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb } from "@/test/db";
import { interopEnabled, runCheck } from "./checker";

/**
 * The tile and proof routes, served over loopback HTTP from a test database whose log the real
 * sequencer built, read by x/mod's code (tiles.go) and by hand for the refusals.
 */
const db = connectTestDb();
let base = "";
let server: http.Server;

const ROUTES: Array<[RegExp, (request: Request) => Promise<Response>]> = [
  [/^\/tile\//, (r) => tileGET(r, undefined)],
  [/^\/api\/v1\/ledger\/proofs\/consistency$/, (r) => consistencyGET(r, undefined)],
  [/^\/api\/v1\/ledger\/proofs\/inclusion$/, (r) => inclusionGET(r, undefined)],
];

beforeAll(async () => {
  serveRoutesFrom(db);
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const route = ROUTES.find(([pattern]) => pattern.test(url.pathname));
    const answer = route
      ? await route[1](new Request(url, { headers: req.headers as Record<string, string> }))
      : new Response("no route", { status: 404 });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/**
 * Appends `count` distinct entries of 32 to 128 bytes through the real sequencer, and
 * anchors the new size the way the anchorer records it, so it becomes the published size.
 */
async function growAndPublish(
  database: Db,
  count: number,
): Promise<{ size: number; root: string }> {
  await database.execute(sql`
    insert into ledger_entries (kind, round_id, leaf_data)
    select 'round', gen_random_uuid(), convert_to(repeat(md5(g::text), (1 + g % 4)::int), 'UTF8')
    from generate_series(coalesce((select max(id) from ledger_entries), 0) + 1,
                         coalesce((select max(id) from ledger_entries), 0) + ${count}) g`);
  const { treeSize } = await sequenceEntries(database, count);
  const [cp] = await database
    .update(checkpoints)
    .set({ status: "anchored", txHash: `0x${"ab".repeat(32)}`, blockNumber: 1, blockTime: 1 })
    .where(eq(checkpoints.treeSize, treeSize))
    .returning();
  if (!cp) throw new Error("no checkpoint");
  return { size: treeSize, root: Buffer.from(cp.rootHash).toString("hex") };
}

const get = (path: string) => fetch(`${base}${path}`);

describe("the tile and proof routes", () => {
  it("serve nothing before a checkpoint is published", async () => {
    const tile = await get("/tile/0/000.p/1");
    expect(tile.status).toBe(404);
    expect(tile.headers.get("cache-control")).toBe("no-store");
    expect(tile.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const proof = await get("/api/v1/ledger/proofs/consistency?from=0");
    expect(proof.status).toBe(404);
    expect((await proof.json()).error.message).toMatch(/published no checkpoint/);
  });

  it("serve a published tile with the headers of an immutable, shareable file", async () => {
    const { size } = await growAndPublish(db, 10);
    expect(size).toBe(10);
    const tile = await get("/tile/0/000.p/10");
    expect(tile.status).toBe(200);
    expect(tile.headers.get("content-type")).toBe("application/octet-stream");
    expect(tile.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(tile.headers.get("access-control-allow-origin")).toBe("*");
    expect((await tile.arrayBuffer()).byteLength).toBe(10 * 32);
    // A prefix of a published tile is published too; beyond the size, and misspelt, is not.
    expect((await get("/tile/entries/000.p/3")).status).toBe(200);
    for (const path of ["/tile/0/000.p/11", "/tile/0/000", "/tile/0/00", "/tile/0/%30%30%30"]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it("refuse every malformed or out-of-range proof request in words", async () => {
    const cases: Array<[string, number, RegExp]> = [
      ["consistency", 400, /from: must be a whole number/],
      ["consistency?from=", 400, /from: must be a whole number/],
      ["consistency?from=1e3", 400, /from: must be a whole number/],
      ["consistency?from=-1", 400, /from: must be a whole number/],
      ["consistency?from=01", 400, /from: must be a whole number/],
      ["consistency?from=99999999999999999", 400, /from: (must be a whole number|is too large)/],
      ["consistency?from=5&to=4", 400, /from: must be at most to \(4\)/],
      ["consistency?from=1&to=11", 400, /to: the published log has 10 leaves/],
      ["inclusion?size=5", 400, /either hash or index/],
      [`inclusion?index=1&hash=${"00".repeat(32)}`, 400, /either hash or index/],
      ["inclusion?hash=abc", 400, /hash: must be 64 hex digits/],
      ["inclusion?index=5&size=5", 400, /index: must be below size \(5\)/],
      ["inclusion?index=0&size=11", 400, /size: the published log has 10 leaves/],
      [`inclusion?hash=${"00".repeat(32)}`, 404, /No leaf among the first 10/],
    ];
    for (const [query, status, message] of cases) {
      const answer = await get(`/api/v1/ledger/proofs/${query}`);
      expect(answer.status, query).toBe(status);
      expect((await answer.json()).error.message, query).toMatch(message);
    }
  });

  it("answer with the published size when no size is given", async () => {
    const answer = await (await get("/api/v1/ledger/proofs/consistency?from=10")).json();
    expect(answer).toMatchObject({ from: 10, to: 10, proof: [] });
    expect(answer.fromRoot).toBe(answer.toRoot);
  });
});

describe.runIf(interopEnabled())("tiles and proofs, read by golang.org/x/mod/sumdb/tlog", () => {
  // Level-0 full and partial tiles, level-1 partial ones, sizes that are and are not multiples
  // of 256, consistency between them, and the spec's own example of 70,000 leaves (a full
  // level-1 tile and a level-2 one; some seconds to sequence).
  it("agree with x/mod at every published size, from their entry bundles alone", async () => {
    const sizes: number[] = [];
    for (const count of [246, 44, 256, 239, 69_205]) {
      const { size, root } = await growAndPublish(db, count);
      sizes.push(size);
      // The checker reads a root as hex or as a checkpoint's base64: the last size uses base64.
      const written = size === 70_000 ? Buffer.from(root, "hex").toString("base64") : root;
      const out = await runCheck(["tiles", base, String(size), written, ...sizes.map(String)]);
      expect(out).toMatch(/ok inclusion/);
    }
    expect(sizes).toEqual([256, 300, 556, 795, 70_000]);
  }, 300_000);

  it("fails when a stored hash no longer matches its entry", async () => {
    const [node] = await db.execute<{ hash: string }>(
      sql`select encode(hash, 'hex') as hash from ledger_nodes where level = 0 and idx = 5`,
    );
    if (!node) throw new Error("the log above has no leaf 5");
    const flip = `${node.hash.slice(0, 63)}${node.hash.endsWith("0") ? "1" : "0"}`;
    const setHash = (hex: string) =>
      db.execute(
        sql`update ledger_nodes set hash = decode(${hex}, 'hex') where level = 0 and idx = 5`,
      );
    await setHash(flip);
    try {
      const [cp] = await db.execute<{ size: number; root: string }>(sql`
        select tree_size::int as size, encode(root_hash, 'hex') as root from checkpoints
        where status = 'anchored' order by tree_size desc limit 1`);
      await expect(runCheck(["tiles", base, String(cp?.size), cp?.root ?? ""])).rejects.toThrow(
        /FAIL: tile tile\/0\/000 differs from x\/mod's/,
      );
    } finally {
      await setHash(node.hash);
    }
  }, 120_000);
});
