import { makeError } from "ethers";
import { describe, expect, it } from "vitest";
import { classifyNodeFailure } from "./node-errors";

describe("classifyNodeFailure", () => {
  it("tells nothing answering from something that is not a chain node", () => {
    expect(classifyNodeFailure(new TypeError("Failed to fetch")).kind).toBe("unreachable");
    expect(classifyNodeFailure(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toEqual({
      kind: "unreachable",
      detail: expect.stringMatching(/nothing answered at that address .*CORS/),
    });
    expect(classifyNodeFailure(makeError("request timeout", "TIMEOUT")).detail).toBe(
      "the node did not answer in time",
    );
    const http404 = makeError("server response 404 Not Found", "SERVER_ERROR", {
      request: undefined as never,
      response: undefined as never,
      info: { responseStatus: "404 Not Found" },
    });
    expect(classifyNodeFailure(http404)).toEqual({
      kind: "not_evm",
      detail: "the address answered, but not as an Ethereum JSON-RPC node (HTTP 404 Not Found)",
    });
    expect(
      classifyNodeFailure(makeError("response body is not valid JSON", "UNSUPPORTED_OPERATION"))
        .kind,
    ).toBe("not_evm");
    expect(classifyNodeFailure(new SyntaxError("Cannot convert hello to a BigInt")).kind).toBe(
      "not_evm",
    );
  });
});
