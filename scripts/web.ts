/** `npm run web`: one web instance (build first with `npm run build`). Needs DATABASE_URL and AUTH_SECRET. */
import { migrateDatabase } from "../db/migrate";
import { loadEnvOrExit, NEXT_BIN, startChild, stopChild } from "./lib/runtime";

const env = loadEnvOrExit();
const missing = (["DATABASE_URL", "AUTH_SECRET"] as const).filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`web: ${missing.join(", ")} must be set (npm start sets them for you)`);
  process.exit(1);
}

await migrateDatabase(env.DATABASE_URL as string);
const web = startChild("web", process.execPath, [NEXT_BIN, "start", "--port", String(env.PORT)], {
  AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
  NEXT_TELEMETRY_DISABLED: "1",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void stopChild(web.child, web.exited).then(() => process.exit(0)));
}
process.exitCode = (await web.exited) ?? 1;
