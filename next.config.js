/** The policy of answers that are data, never a page: nothing may run or load. */
const dataPolicy = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A second build directory lets the e2e stack run beside a developer's `npm start`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // A self-contained server (`<distDir>/standalone/server.js`) with only the modules it traces:
  // what `npm run web` starts, so production needs no `next` CLI and no dev dependencies.
  output: "standalone",
  // The project itself, not whatever folder above it holds another lockfile: server.js then sits
  // at the top of the standalone folder.
  outputFileTracingRoot: import.meta.dirname,
  // `npm test` type-checks and lints the whole project; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["@node-rs/argon2", "postgres"],
  poweredByHeader: false,
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "3mb" } },
  // The App Router does not route dot-folders, so the well-known document is an API route.
  async rewrites() {
    return [{ source: "/.well-known/prizeledger.json", destination: "/api/v1/ledger/identity" }];
  },
  // Headers every response gets, static assets and API answers included. The per-request
  // Content-Security-Policy of pages (it carries a nonce) and the device cookie are set in proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          {
            key: "Permissions-Policy",
            value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
          },
        ],
      },
      {
        // JSON and CSV answers never run anything, so the API's policy allows nothing at all. The
        // API reference at /api/docs is a page: proxy.ts gives it the pages' nonce policy, which
        // replaces this one. (Excluding it here would not do: these rules match any letter case,
        // the proxy's matcher only the exact path, so /api/DOCS would get no policy at all.)
        source: "/api/:path*",
        headers: dataPolicy,
      },
      // The log's tiles and checkpoint are data like the API's answers (proxy.ts skips them, so
      // that no cache shares a device cookie): the API's policy is theirs.
      { source: "/tile/:path*", headers: dataPolicy },
      { source: "/checkpoint", headers: dataPolicy },
    ];
  },
};

export default nextConfig;
