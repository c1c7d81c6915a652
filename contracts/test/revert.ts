import assert from "node:assert/strict";
import type { Interface } from "ethers";

/** Awaits a call expected to revert and checks the decoded custom error and its arguments. */
export async function assertRevert(
  contract: { interface: Interface },
  call: Promise<unknown>,
  error: string,
  args?: unknown[],
): Promise<void> {
  await assert.rejects(call, (thrown: { data?: string }) => {
    assert.ok(thrown.data, `expected revert data, got ${String(thrown)}`);
    const decoded = contract.interface.parseError(thrown.data);
    assert.equal(decoded?.name, error);
    if (args) assert.deepEqual([...(decoded?.args ?? [])], args);
    return true;
  });
}
