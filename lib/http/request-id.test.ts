import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";
import { apiRoute, withRequestId } from "./api-handler";
import { clientInfo } from "./client-info";
import { incomingRequestId, isWellFormedRequestId, requestIdFrom } from "./request-id";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("incomingRequestId", () => {
  const offering = (value: string) => new Headers({ "x-request-id": value });

  it("never takes a client's header when no trusted proxy sets one", () => {
    const id = incomingRequestId(offering("chosen-by-client"), undefined);
    expect(id).toMatch(UUID);
    expect(incomingRequestId(offering("chosen-by-client"), undefined)).not.toBe(id);
  });

  it("takes the trusted proxy's id, from the header it is configured to set", () => {
    expect(incomingRequestId(offering("lb-1a2b.3c_4-d"), "x-request-id")).toBe("lb-1a2b.3c_4-d");
    const headers = new Headers({ "x-request-id": "client", "cf-ray": "8d2f1a7b3c4e5f60-AMS" });
    expect(incomingRequestId(headers, "cf-ray")).toBe("8d2f1a7b3c4e5f60-AMS");
  });

  it("replaces a malformed or oversized id from the trusted header with a fresh one", () => {
    for (const bad of [
      "",
      "a b",
      "one, two", // the header sent twice, as Headers joins it
      "x".repeat(65),
      "id;drop table",
      "<script>",
      "ünïcode",
      "a\tb",
      '{"level":"fatal"}',
    ]) {
      expect(incomingRequestId(offering(bad), "x-request-id"), JSON.stringify(bad)).toMatch(UUID);
    }
    expect(incomingRequestId(offering("x".repeat(64)), "x-request-id")).toBe("x".repeat(64));
  });

  it("refuses what could split a header or a log line, which Headers cannot even carry", () => {
    expect(isWellFormedRequestId("abc\r\nset-cookie: a=b")).toBe(false);
    expect(isWellFormedRequestId("abc\n")).toBe(false);
    expect(isWellFormedRequestId("abc\u2028")).toBe(false);
    expect(isWellFormedRequestId(null)).toBe(false);
  });
});

describe("requestIdFrom", () => {
  it("reads the id the entry point set, and never passes on a malformed one", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "abc-123" }))).toBe("abc-123");
    expect(requestIdFrom(new Headers({ "x-request-id": "a b" }))).toMatch(UUID);
    expect(requestIdFrom(new Headers())).toMatch(UUID);
  });
});

describe("the API's entry point (withRequestId)", () => {
  it("overwrites a client's id before the handler reads it, and returns the same id", async () => {
    let seen: string | null | undefined;
    const handler = withRequestId(async (request: Request) => {
      seen = clientInfo(request.headers).requestId;
      return Response.json({});
    });
    const response = await handler(
      new Request("http://localhost/api/v1/x", { headers: { "x-request-id": "spoofed" } }),
      {},
    );
    expect(seen).toMatch(UUID);
    expect(response.headers.get("x-request-id")).toBe(seen);
  });

  it("adds the id to a redirect, whose headers cannot be changed", async () => {
    const handler = withRequestId(async () => Response.redirect("http://localhost/signin", 302));
    const response = await handler(new Request("http://localhost/api/auth/signin"), {});
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost/signin");
    expect(response.headers.get("x-request-id")).toMatch(UUID);
  });
});

describe("proxy.ts", () => {
  /** What the page (or action) behind the proxy sees as the request's id. */
  const forwardedId = (response: Response) =>
    response.headers.get("x-middleware-request-x-request-id");

  it("gives a page request a fresh id, forwarded to the page and returned on the response", () => {
    const response = proxy(
      new NextRequest("http://localhost/drops", { headers: { "x-request-id": "spoofed" } }),
    );
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(forwardedId(response)).toBe(id);
  });

  it("gives prefetches an id too, so a prefetch header cannot smuggle a client's id in", () => {
    const prefetches: Record<string, string>[] = [
      { "next-router-prefetch": "1" },
      { purpose: "prefetch" },
    ];
    for (const prefetch of prefetches) {
      const response = proxy(
        new NextRequest("http://localhost/drops", {
          method: "POST",
          headers: { ...prefetch, "x-request-id": "spoofed", "next-action": "abc" },
        }),
      );
      expect(forwardedId(response)).toMatch(UUID);
      expect(response.headers.get("x-request-id")).toBe(forwardedId(response));
      // Still no nonce and no cookie for them.
      expect(response.headers.get("content-security-policy")).toBeNull();
      expect(response.headers.get("set-cookie")).toBeNull();
    }
  });
});

describe("an unhandled API error", () => {
  it("answers 500 with the request's id in its body, to quote to an operator", async () => {
    const handler = apiRoute(async () => {
      throw new Error("the database went away");
    });
    const response = await handler(new Request("http://localhost/api/v1/x"), {});
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({
      code: "internal",
      message: "Something went wrong on our side",
      requestId: response.headers.get("x-request-id"),
    });
    expect(JSON.stringify(body)).not.toContain("database");
  });
});
