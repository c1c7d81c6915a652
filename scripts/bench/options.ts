/** The options every load bench takes, for node:util parseArgs, with its own defaults. */
export function loadBenchOptions(defaults: { requests: number; pgPort: number }) {
  return {
    concurrency: { type: "string", default: "256" },
    pool: { type: "string", default: "32" },
    "skip-db": { type: "boolean", default: false },
    "skip-http": { type: "boolean", default: false },
    requests: { type: "string", default: String(defaults.requests) },
    connections: { type: "string", default: "256" },
    "pg-port": { type: "string", default: String(defaults.pgPort) },
  } as const;
}
