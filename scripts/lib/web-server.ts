import path from "node:path";
import type { Env } from "../../lib/config/env";

/**
 * How a web instance starts: dist/web-server.mjs (scripts/web-server.ts) serving Next.js's
 * standalone build (`npm run build` makes both), listening on
 * LISTEN_ADDRESS (every IPv4 interface unless told otherwise). That server changes into its own folder, so the paths it inherits are
 * made absolute here first, to mean what they mean to the operator who set them.
 */
export function webServerCommand(
  env: Env,
  distDir = process.env.NEXT_DIST_DIR || ".next",
): { args: string[]; env: Record<string, string> } {
  return {
    args: [path.resolve("dist", "web-server.mjs")],
    env: {
      NEXT_STANDALONE_DIR: path.resolve(distDir, "standalone"),
      NEXT_DIST_DIR: distDir,
      NODE_ENV: "production",
      PORT: String(env.PORT),
      HOSTNAME: env.LISTEN_ADDRESS,
      PRIZELEDGER_DATA_DIR: path.resolve(env.PRIZELEDGER_DATA_DIR),
      ...(env.GEOIP_DATABASE ? { GEOIP_DATABASE: path.resolve(env.GEOIP_DATABASE) } : {}),
    },
  };
}
