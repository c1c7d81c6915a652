/**
 * deploy/prometheus/alerts.yml and the README's table say the same rules, and every metric a rule
 * reads is one the code registers: a renamed metric would otherwise leave an alert that never
 * fires. (No YAML parser is a dependency: each rule's expr is one line, read as such.)
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const rules = fs.readFileSync(path.join(root, "deploy/prometheus/alerts.yml"), "utf8");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const sources = fs
  .readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
  .map((file) => fs.readFileSync(path.join(import.meta.dirname, file), "utf8"))
  .join("\n");

const alerts = [...rules.matchAll(/^ {6}- alert: (\w+)\n {8}expr: (.+)$/gm)].map(
  ([, name, expr]) => ({ name: name as string, expr: expr as string }),
);

describe("the alerting rules", () => {
  it("are every rule of the file, each with one expression", () => {
    expect(alerts.length).toBe(rules.match(/- alert:/g)?.length);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
  });

  it("are in the README word for word", () => {
    for (const { name, expr } of alerts) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      // A table cell escapes a pipe, even inside code (GitHub renders `\|` there as `|`).
      expect(row?.replaceAll("\\|", "|"), name).toContain(`\`${expr}\``);
    }
  });

  it("page for a missing synchronous standby only where one is asked for", () => {
    // A single server, or standbys asynchronous on purpose, must not page forever.
    const sync = alerts.filter(({ expr }) =>
      expr.includes('prizeledger_database_replicas{mode="sync"}'),
    );
    expect(sync.length).toBeGreaterThan(0);
    for (const { name, expr } of sync) {
      expect(expr, name).toContain("max(prizeledger_database_sync_standby_required) > 0 and ");
    }
  });

  it("page for a waiting room only once it should admit", () => {
    // Through the pre-queue and while its drop is paused a room admits nobody by design.
    const rule = alerts.find(({ name }) => name === "WaitingRoomNotDraining");
    expect(rule?.expr).toContain("max by (drop) (prizeledger_waiting_room_admitting) > 0 and ");
    expect(rule?.expr).toContain("delta(prizeledger_waiting_room_admitted[10m])) == 0");
  });

  it("see a gauge that cannot be read, rather than go silent", () => {
    // A failed read reports no samples: the lag rules alone would never fire on a slow database.
    const exprs = alerts.map(({ expr }) => expr);
    expect(exprs).toContain("absent(prizeledger_anchoring_lag_seconds)");
    expect(exprs.some((expr) => expr.includes("prizeledger_metrics_collect_failures_total"))).toBe(
      true,
    );
  });

  it("count errors among the claims not refused", () => {
    // A sell-out or a flood of refused claims would otherwise dilute the errors out of sight.
    const rule = alerts.find(({ name }) => name === "ClaimErrors");
    expect(rule?.expr).toContain(
      '0.01 * sum(rate(prizeledger_claims_total{outcome=~"granted|error"}',
    );
  });

  it("read only metrics the code registers", () => {
    for (const { name, expr } of alerts) {
      // Besides these, a rule may read only Prometheus's own `up`.
      const metrics = expr.match(/\bprizeledger_\w+/g) ?? [];
      expect(metrics.length > 0 || /^up\{/.test(expr), name).toBe(true);
      for (const metric of metrics) {
        const registered = metric.replace(/_(bucket|count|sum)$/, "");
        expect(sources, `${name} reads ${metric}`).toContain(`"${registered}"`);
      }
    }
  });
});
