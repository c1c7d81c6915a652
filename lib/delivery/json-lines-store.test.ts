import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openJsonLinesStore } from "./json-lines-store";

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "json-lines-"));
  file = path.join(dir, "store.jsonl");
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("an append-only JSON-lines store", () => {
  it("keeps every record appended at once, in order, across a reopening", async () => {
    const store = await openJsonLinesStore(file);
    await Promise.all(Array.from({ length: 50 }, (_, n) => store.append({ n })));
    await store.close();
    const reopened = await openJsonLinesStore(file);
    expect(reopened.records).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
    await reopened.close();
  });

  it("drops a last line cut short by a crash, and appends after the good ones", async () => {
    fs.writeFileSync(file, '{"n":1}\n{"n":2}\n{"n":');
    const store = await openJsonLinesStore(file);
    expect(store.records).toEqual([{ n: 1 }, { n: 2 }]);
    await store.append({ n: 3 });
    await store.close();
    expect(fs.readFileSync(file, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });

  it("refuses to open when a line before the last is damaged", async () => {
    fs.writeFileSync(file, '{"n":1}\n{"n":\n{"n":3}\n');
    await expect(openJsonLinesStore(file)).rejects.toThrow(/line 2 is not JSON/);
  });
});
