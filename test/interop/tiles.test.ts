import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as consistencyGET } from "@/app/api/v1/ledger/proofs/consistency/route";
import { GET as inclusionGET } from "@/app/api/v1/ledger/proofs/inclusion/route";
import { GET as tileGET } from "@/app/tile/[...path]/route";
import type { Db } from "@/db/client";
import { checkpoints } from "@/db/schema";
import { rateRules } from "@/lib/abuse/rate-limit";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import { interopEnabled, runCheck } from "./checker";

/**
 * The tile and proof routes, served over loopback HTTP from test databases whose logs the real
 * sequencer built, read by x/mod's code (tiles.go) and by hand for the refusals. Each describe
 * (and the test of an empty log) has a database of its own, so no test leans on another's leaves.
 */
let base = "";
let server: http.Server;

const ROUTES: Array<[RegExp, (request: Request) => Promise<Response>]> = [
  [/^\/tile\//, (r) => tileGET(r, undefined)],
  [/^\/api\/v1\/ledger\/proofs\/consistency$/, (r) => consistencyGET(r, undefined)],
  [/^\/api\/v1\/ledger\/proofs\/inclusion$/, (r) => inclusionGET(r, undefined)],
];

beforeAll(async () => {
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

/** A database of its own for the enclosing describe, which the routes read during its tests. */
function servedDb(): Db {
  const db = connectTestDb();
  beforeEach(() => serveRoutesFrom(db));
  return db;
}

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

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers });

describe("the routes of an empty log", () => {
  servedDb();

  it("serve nothing before a checkpoint is published", async () => {
    const tile = await get("/tile/0/000.p/1");
    expect(tile.status).toBe(404);
    expect(tile.headers.get("cache-control")).toBe("no-store");
    expect(tile.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    // An error keeps its request id: it is no-store, and support may ask for it.
    expect(tile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const proof = await get("/api/v1/ledger/proofs/consistency?from=0");
    expect(proof.status).toBe(404);
    expect((await proof.json()).error.message).toMatch(/published no checkpoint/);
  });
});

describe("the tile and proof routes", () => {
  const db = servedDb();
  // Every test here reads this log of 10 leaves and adds none.
  beforeAll(async () => {
    expect(await growAndPublish(db, 10)).toMatchObject({ size: 10 });
  });

  it("serve a published tile with the headers of an immutable, shareable file", async () => {
    const tile = await get("/tile/0/000.p/10", { "x-request-id": "chosen-by-the-client" });
    expect(tile.status).toBe(200);
    expect(tile.headers.get("content-type")).toBe("application/octet-stream");
    expect(tile.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(tile.headers.get("access-control-allow-origin")).toBe("*");
    expect((await tile.arrayBuffer()).byteLength).toBe(10 * 32);
    // A shared cache would hand one request's id to every later reader.
    expect(tile.headers.get("x-request-id")).toBeNull();
    // A prefix of a published tile is published too; beyond the size, and misspelt, is not.
    expect((await get("/tile/entries/000.p/3")).status).toBe(200);
    for (const path of ["/tile/0/000.p/11", "/tile/0/000", "/tile/0/00", "/tile/0/%30%30%30"]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it("refuse a tile path with a query string, which would only bust caches", async () => {
    for (const path of ["/tile/0/000.p/10?r=1", "/tile/entries/000.p/3?x"]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get("cache-control"), path).toBe("no-store");
      expect(await answer.text(), path).toMatch(/takes no query string/);
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
      // Another operator's /verify reads these from the auditor's browser, refusals included.
      expect(answer.headers.get("access-control-allow-origin"), query).toBe("*");
      expect((await answer.json()).error.message, query).toMatch(message);
    }
  });

  it("answer with the published size when no size is given", async () => {
    const answer = await (await get("/api/v1/ledger/proofs/consistency?from=10")).json();
    expect(answer).toMatchObject({ from: 10, to: 10, proof: [] });
    expect(answer.fromRoot).toBe(answer.toRoot);
  });

  it("limit proof requests per address, and say how long to wait", async () => {
    const { limit, windowSeconds } = rateRules.proofPerIp;
    let run = 0;
    const statuses = await inOneWindow(db, windowSeconds, async () => {
      // An address of its own per run: an abandoned run leaves its hits counted.
      const headers = { "x-forwarded-for": `203.0.113.${++run}` };
      const answers: Response[] = [];
      for (let i = 0; i <= limit; i++) {
        const path = i % 2 ? "consistency?from=10" : "inclusion?index=0";
        answers.push(await get(`/api/v1/ledger/proofs/${path}`, headers));
      }
      return answers;
    });
    expect(statuses.slice(0, limit).map((a) => a.status)).toEqual(Array(limit).fill(200));
    for (const answer of statuses)
      expect(answer.headers.get("access-control-allow-origin")).toBe("*");
    const refused = statuses[limit];
    if (!refused) throw new Error("no answer past the limit");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error.message).toMatch(/Too many proof requests/);
    // Another address is not held back.
    const other = await get("/api/v1/ledger/proofs/consistency?from=10", {
      "x-forwarded-for": "203.0.113.200",
    });
    expect(other.status).toBe(200);
  }, 120_000);
});

describe.runIf(interopEnabled())("tiles and proofs, read by golang.org/x/mod/sumdb/tlog", () => {
  describe("from a fresh log", () => {
    const db = servedDb();

    // Level-0 full and partial tiles, level-1 partial ones, sizes that are and are not multiples
    // of 256, consistency between them, and the spec's own example of 70,000 leaves (a full
    // level-1 tile and a level-2 one; some seconds to sequence).
    it("agree with x/mod at every published size, from their entry bundles alone", async () => {
      const sizes: number[] = [];
      for (const target of [256, 300, 556, 795, 70_000]) {
        const { size, root } = await growAndPublish(db, target - (await publishedSize(db)));
        expect(size).toBe(target);
        sizes.push(size);
        // The checker reads a root as hex or as a checkpoint's base64: the last size uses base64.
        const written = size === 70_000 ? Buffer.from(root, "hex").toString("base64") : root;
        const out = await runCheck(["tiles", base, String(size), written, ...sizes.map(String)]);
        expect(out).toMatch(/ok inclusion/);
      }
    }, 300_000);
  });

  describe("from a log with a flipped hash", () => {
    const db = servedDb();

    it("fails when a stored hash no longer matches its entry", async () => {
      const { size, root } = await growAndPublish(db, 10);
      const [node] = await db.execute<{ hash: string }>(
        sql`select encode(hash, 'hex') as hash from ledger_nodes where level = 0 and idx = 5`,
      );
      if (!node) throw new Error("the log has no leaf 5");
      const flip = `${node.hash.slice(0, 63)}${node.hash.endsWith("0") ? "1" : "0"}`;
      await db.execute(
        sql`update ledger_nodes set hash = decode(${flip}, 'hex') where level = 0 and idx = 5`,
      );
      await expect(runCheck(["tiles", base, String(size), root])).rejects.toThrow(
        /FAIL: tile tile\/0\/000\.p\/10 differs from x\/mod's/,
      );
    }, 120_000);
  });
});

/** The size of the newest anchored checkpoint, 0 before the first. */
async function publishedSize(database: Db): Promise<number> {
  const [row] = await database.execute<{ size: number }>(sql`
    select coalesce(max(tree_size), 0)::int as size from checkpoints where status = 'anchored'`);
  return row?.size ?? 0;
}
