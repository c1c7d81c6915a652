import path from "node:path";
import type { Env } from "../../lib/config/env";

/**
 * How a web instance starts: Next.js's standalone server (`npm run build` makes it), listening on
 * LISTEN_ADDRESS (every IPv4 interface unless told otherwise). That server changes into its own folder, so the paths it inherits are
 * made absolute here first, to mean what they mean to the operator who set them.
 */
export function webServerCommand(
  env: Env,
  distDir = process.env.NEXT_DIST_DIR || ".next",
): { args: string[]; env: Record<string, string> } {
  return {
    args: [path.resolve(distDir, "standalone", "server.js")],
    env: {
      PORT: String(env.PORT),
      HOSTNAME: env.LISTEN_ADDRESS,
      PRIZELEDGER_DATA_DIR: path.resolve(env.PRIZELEDGER_DATA_DIR),
      ...(env.GEOIP_DATABASE ? { GEOIP_DATABASE: path.resolve(env.GEOIP_DATABASE) } : {}),
    },
  };
}
