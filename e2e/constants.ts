/**
 * The e2e stack, apart from a developer's `npm start` (ports 3000, 54329 and 8545). E2E_PORT_BASE
 * moves all three ports, so two checkouts on one machine can run their specs at the same time.
 */
const base = Number(process.env.E2E_PORT_BASE ?? 0);
export const E2E_PORT = 3100 + base;
export const E2E_PG_PORT = 54339 + base;
export const E2E_CHAIN_PORT = 8546 + base;
/** The embedded test payment provider (its confirm page is where the specs pay). */
export const E2E_PAYMENTS_PORT = 8610 + base;
/** The local gift-card provider `scripts/start.ts` runs (apart from `npm start`'s 8601). */
export const E2E_GIFTCARD_PORT = 8620 + base;
/** The stack's two witnesses (apart from `npm start`'s 8602 and 8603): this port and the next. */
export const E2E_WITNESS_PORT = 8630 + base;
export const GIFTCARD_URL = `http://127.0.0.1:${E2E_GIFTCARD_PORT}`;
/** Lets specs turn the provider's fault knobs (PATCH /admin/faults). */
export const E2E_GIFTCARD_ADMIN_TOKEN = "e2e-giftcard-admin-token";
/** A production web instance (`npm run web`) on the same database: e2e/mail-capture.spec.ts. */
export const E2E_WEB_PORT = 3300 + base;
/** A web instance clients reach with no proxy (TRUSTED_PROXY_HOPS=0): e2e/client-address.spec.ts. */
export const E2E_NO_PROXY_PORT = 3301 + base;
/** A web instance whose database is unreachable: e2e/error-pages.spec.ts. */
export const E2E_NO_DB_PORT = 3050 + base;
/** The stack's metrics listeners: its web process's and its worker's (health too). */
export const E2E_METRICS_PORT = 9600 + base;
export const E2E_WORKER_PORT = 9565 + base;
export const E2E_DATA_DIR = ".data/e2e";
export const BASE_URL = `http://localhost:${E2E_PORT}`;
/** What /verify offers as the chain node: the app's own anvil, reached by the browser directly. */
export const CHAIN_RPC_URL = `http://127.0.0.1:${E2E_CHAIN_PORT}`;
/** The two-factor steps the specs have used this run (each is accepted once): see helpers.ts. */
export const TOTP_STEPS_FILE = "test-results/e2e-totp-steps.json";
