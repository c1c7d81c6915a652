import { afterEach, describe, expect, it } from "vitest";
import { witnessEnvironment } from "./embedded-witnesses";
import { startChild } from "./runtime";
import { WORKER_SECRETS_BLANKED } from "./stack";

/**
 * What a child of `npm start` finds in its environment when the operator exported the worker's
 * secrets to it: a web instance (the shared child environment) and an embedded witness.
 */
const SECRETS = {
  LOG_SIGNING_KEY: "PRIVATE+KEY+log.example+00000000+secret",
  TREASURY_KEY: `0x${"11".repeat(32)}`,
  VAPID_PRIVATE_KEY: "vapid-secret",
  ANCHORER_KEY: `0x${"22".repeat(32)}`,
};
const saved = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** The environment a real child process sees, started as the stack starts its children. */
async function childSees(
  env: Record<string, string>,
  options?: { inheritEnv?: boolean },
): Promise<Record<string, string>> {
  let out = "";
  let reading: Promise<void> = Promise.resolve();
  const { exited } = startChild(
    "env-probe",
    process.execPath,
    ["-e", "process.stdout.write(JSON.stringify(process.env))"],
    env,
    (child) => {
      reading = (async () => {
        for await (const chunk of child.stdout ?? []) out += chunk;
      })();
      return reading;
    },
    options,
  );
  expect(await exited).toBe(0);
  // The exit can be reported before the pipe is drained: the output is whole once reading ends.
  await reading;
  return JSON.parse(out) as Record<string, string>;
}

describe("children's environments", () => {
  it("blanks the worker's secrets for a web instance, whatever npm start was given", async () => {
    Object.assign(process.env, SECRETS);
    const seen = await childSees({ ...WORKER_SECRETS_BLANKED, PORT: "1" });
    expect(seen.LOG_SIGNING_KEY).toBe("");
    expect(seen.TREASURY_KEY).toBe("");
    expect(seen.VAPID_PRIVATE_KEY).toBe("");
    expect(seen.PORT).toBe("1");
  });

  it("gives a witness only what it needs to run, none of the log's or anyone's secrets", async () => {
    Object.assign(process.env, SECRETS);
    const seen = await childSees(witnessEnvironment(process.env), { inheritEnv: false });
    for (const name of Object.keys(SECRETS)) expect(seen[name], name).toBeUndefined();
    expect(seen.PATH).toBe(process.env.PATH);
    expect(
      Object.keys(witnessEnvironment({ ...SECRETS, PATH: "/bin", DATABASE_URL: "x" })),
    ).toEqual(["PATH"]);
  });
});
