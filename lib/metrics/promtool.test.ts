/**
 * deploy/prometheus/alerts.yml as Prometheus itself reads it: `promtool check rules` parses every
 * rule and `promtool test rules` plays alerts.test.yml's made-up series through them. promtool is
 * Prometheus's tool, not a dependency of the project: .ci/run takes it from Debian's prometheus
 * package, so under CI a missing promtool fails these tests; elsewhere they are skipped.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const folder = path.resolve(import.meta.dirname, "../../deploy/prometheus");
const rules = fs.readFileSync(path.join(folder, "alerts.yml"), "utf8");
const cases = fs.readFileSync(path.join(folder, "alerts.test.yml"), "utf8");
const alertNames = [...rules.matchAll(/^ {6}- alert: (\w+)$/gm)].map(([, name]) => name);

/** PROMTOOL, else the first promtool on PATH (.ci/run puts it in /usr/local/bin). */
function findPromtool(): string | undefined {
  if (process.env.PROMTOOL) return process.env.PROMTOOL;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/bin", "/usr/bin"];
  return dirs.map((dir) => path.join(dir, "promtool")).find((file) => fs.existsSync(file));
}

const promtool = findPromtool();

function runPromtool(...args: string[]): string {
  if (!promtool) {
    throw new Error("promtool is not installed: .ci/run takes it from Debian's prometheus package");
  }
  return execFileSync(promtool, args, { cwd: folder, encoding: "utf8", stdio: "pipe" });
}

describe.skipIf(!promtool && !process.env.CI)("promtool", () => {
  it("accepts every alerting rule", () => {
    expect(runPromtool("check", "rules", "alerts.yml")).toContain(
      `SUCCESS: ${alertNames.length} rules found`,
    );
  });

  it("sees each alert fire and stay silent as alerts.test.yml expects", () => {
    // promtool exits non-zero on a failed expectation, with the expected and got alerts in stderr.
    try {
      expect(runPromtool("test", "rules", "alerts.test.yml")).toContain("SUCCESS");
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      throw new Error(`promtool test rules failed:\n${stdout}${stderr}`, { cause: error });
    }
  });
});

describe("alerts.test.yml", () => {
  // promtool compares, at each eval_time, the whole set of one alert's instances: an empty
  // exp_alerts asserts silence, a listed one that it fires with exactly those labels.
  const silent = new Set(
    [...cases.matchAll(/alertname: (\w+)(?:,|\n) *exp_alerts: \[\]/g)].map(([, name]) => name),
  );
  const firing = new Set(
    [...cases.matchAll(/alertname: (\w+)\n *exp_alerts:\n *- exp_labels/g)].map(([, name]) => name),
  );

  it("has every rule of alerts.yml both fire and stay silent", () => {
    expect(alertNames.length).toBe(rules.match(/- alert:/g)?.length);
    for (const name of alertNames) {
      expect(firing.has(name), `${name} fires in a test`).toBe(true);
      expect(silent.has(name), `${name} stays silent in a test`).toBe(true);
    }
  });

  it("names no alert alerts.yml does not have", () => {
    const named = [...cases.matchAll(/alertname: (\w+)/g)].map(([, name]) => name);
    expect(named.filter((name) => !alertNames.includes(name))).toEqual([]);
  });
});
