/**
 * `server-only` throws unless a React Server Components bundler resolves it (to its no-op entry,
 * under the "react-server" condition). Server code run as plain Node (scripts through tsx, the
 * Playwright runner, its web server) is exactly where it belongs, so it gets that no-op too.
 * Loaded with `--import` (see tsxArgs in ./runtime.ts and package.json) or imported first by a
 * config that Node loads before the code (playwright.config.ts). Vitest aliases it instead.
 */
import { registerHooks } from "node:module";

const noop = new URL("empty.js", import.meta.resolve("server-only")).href;

registerHooks({
  resolve: (specifier, context, next) =>
    specifier === "server-only" ? { url: noop, shortCircuit: true } : next(specifier, context),
});
