import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, MAX_JSON_BYTES, readBody, readJson } from "./api-handler";

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/v1/x", {
    method: "POST",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

/** A body of `total` bytes in 16 KiB chunks that counts how many bytes were pulled from it. */
function countingStream(total: number): {
  stream: ReadableStream<Uint8Array>;
  pulled: () => number;
} {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const chunk = new Uint8Array(16 * 1024).fill(0x20);
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("readJson", () => {
  it("reads a JSON object; an empty body is {}", async () => {
    expect(await readJson(post('{"a":1}', { "content-type": "application/json" }))).toEqual({
      a: 1,
    });
    expect(await readJson(post(null))).toEqual({});
    // Clients that send no Content-Type at all are read as JSON, as they always were.
    expect(await readJson(post(new TextEncoder().encode('{"a":1}')))).toEqual({ a: 1 });
    // What `curl -d '{…}'` sends without a -H: read as JSON.
    const curl = { "content-type": "application/x-www-form-urlencoded" };
    expect(await readJson(post('{"a":1}', curl))).toEqual({ a: 1 });
  });

  it("refuses a declared oversized body before reading it", async () => {
    const { stream, pulled } = countingStream(10 * 1024 * 1024);
    const request = post(stream, { "content-length": String(10 * 1024 * 1024) });
    expect(await refusal(readJson(request))).toBe("payload_too_large");
    expect(pulled()).toBeLessThanOrEqual(16 * 1024);
  });

  it("stops reading an undeclared body as soon as it passes 64 KiB", async () => {
    const { stream, pulled } = countingStream(10 * 1024 * 1024);
    expect(await refusal(readJson(post(stream)))).toBe("payload_too_large");
    // The stream may run a chunk or two ahead of the reader, never to the end.
    expect(pulled()).toBeLessThan(MAX_JSON_BYTES + 64 * 1024);
  });

  it("refuses other content types, non-objects and bad JSON or UTF-8", async () => {
    expect(await refusal(readJson(post("a=1", { "content-type": "text/plain" })))).toBe(
      "unsupported_media_type",
    );
    const json = { "content-type": "application/json; charset=utf-8" };
    for (const body of ["[1]", '"s"', "null", "1", "{", "{'a':1}"]) {
      expect(await refusal(readJson(post(body, json))), body).toBe("bad_request");
    }
    expect(await refusal(readBody(post(new Uint8Array([0x7b, 0xff, 0x7d])), 100))).toBe(
      "bad_request",
    );
  });

  it("refuses text PostgreSQL cannot store, naming the field", async () => {
    const json = { "content-type": "application/json" };
    for (const body of ['{"name":"a\\u0000b"}', '{"a":{"name":"\\ud800"}}', '{"\\u0000":1}']) {
      const error = await readJson(post(body, json)).catch((e: AppError) => e);
      expect((error as AppError).code, body).toBe("invalid_input");
    }
    expect(await readJson(post('{"name":"🎁 \\u202e"}', json))).toEqual({ name: "🎁 \u202e" });
  });
});

describe("apiRoute", () => {
  const failingOn = (request: Request, error: unknown) =>
    apiRoute(async () => {
      throw error;
    })(request, {});
  const failing = (error: unknown) => failingOn(post(null), error);

  // As postgres.js rejects a query whose connection died, wrapped by drizzle as its cause.
  const lost = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
  const lostConnections = [
    lost,
    new Error("Failed query", { cause: lost }),
    Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    }),
    Object.assign(new Error("connect ECONNREFUSED"), {
      code: "ECONNREFUSED",
      query: "select 1",
      parameters: [],
    }),
  ];

  it("answers a lost database connection 503 unavailable with Retry-After to a read", async () => {
    for (const error of lostConnections) {
      const response = await failingOn(new Request("http://localhost/api/v1/x"), error);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      expect((await response.json()).error.code).toBe("unavailable");
    }
  });

  it("tells a write with an Idempotency-Key to retry it with that key", async () => {
    const response = await failingOn(post(null, { "idempotency-key": "k-1" }), lost);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
  });

  it("tells a write without a key that it may have been applied, and not to just retry", async () => {
    for (const error of lostConnections) {
      const response = await failing(error);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBeNull();
      const body = (await response.json()).error;
      expect(body).toMatchObject({ code: "unavailable", outcome: "unknown" });
      expect(body.message).toMatch(/may have been applied/);
    }
  });

  it("still answers any other failure 500 internal", async () => {
    const response = await failing(Object.assign(new Error("division by zero"), { code: "22012" }));
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe("internal");
  });
});
