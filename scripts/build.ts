/**
 * `npm run build`: everything a production host runs (see README, "Production"): the Next.js
 * standalone server in `<distDir>/standalone` and the entry points bundled into `dist/`.
 */
import { ensureProductionBuild } from "./lib/build";

await ensureProductionBuild((line) => console.log(line), { force: true });
