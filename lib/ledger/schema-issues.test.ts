import { describe, expect, it } from "vitest";
import { z } from "zod";
import { receiptSchema } from "./receipt";
import { describeIssues } from "./schema-issues";

const issuesOf = (input: unknown) =>
  receiptSchema.safeParse(input, { reportInput: true }).error?.issues ?? [];

describe("describeIssues", () => {
  it("names each field in words and says what it must be", () => {
    const text = describeIssues(
      issuesOf({
        version: 2,
        status: "anchored",
        leaf: { index: -1, data: "zz", salt: "0x12", playerId: "me" },
        inclusionProof: "none",
        checkpoint: { treeSize: 0, rootHash: `0x${"00".repeat(32)}` },
      }),
      9,
    );
    expect(text).toBe(
      [
        "The version must be 1.",
        "The leaf index must be at least 0.",
        "The leaf data must be 0x and an even number of hex digits.",
        "The salt must be 0x and 64 hex digits.",
        "The player id must be a UUID.",
        "The inclusion proof must be a list.",
        "The checkpoint's tree size must be at least 1.",
        "The anchor is missing.",
      ].join(" "),
    );
    expect(text).not.toMatch(/Invalid input|expected \d/);
  });

  it("tells a missing field from a wrong one, names list items, and stops after five", () => {
    expect(describeIssues(issuesOf(null))).toBe("The receipt must be an object.");
    const proof = describeIssues(
      issuesOf({ version: 1, inclusionProof: ["0x12"] }).filter(
        (i) => i.path[0] === "inclusionProof",
      ),
    );
    expect(proof).toBe("Item 1 of the inclusion proof must be 0x and 64 hex digits.");
    expect(describeIssues(issuesOf({}))).toMatch(/The version is missing\. .* \(And 1 more\.\)$/);
    const unknown = z.object({ other: z.string() }).safeParse({}, { reportInput: true });
    expect(describeIssues(unknown.error?.issues ?? [])).toBe("The field “other” is missing.");
  });
});
