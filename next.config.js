/** @type {import('next').NextConfig} */
const nextConfig = {
  // A second build directory lets the e2e stack run beside a developer's `npm start`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm test` type-checks and lints the whole project; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["@node-rs/argon2", "postgres"],
  poweredByHeader: false,
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "3mb" } },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
