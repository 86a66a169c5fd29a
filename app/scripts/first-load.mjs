// First-load JavaScript per route of the last `next build` (Next 16 no longer prints it): the
// root chunks, the route's and the root layout's entry chunks, and the chunks of the client-only
// providers (loaded at once on every page), gzipped. Prints a table, then one JSON line.
//   node app/scripts/first-load.mjs [app/.next]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const dir = resolve(process.argv[2] ?? join(import.meta.dirname, "..", ".next"));
const build = JSON.parse(readFileSync(join(dir, "build-manifest.json"), "utf8"));
const loadable = JSON.parse(readFileSync(join(dir, "react-loadable-manifest.json"), "utf8"));
const providers = Object.entries(loadable)
  .filter(([k]) => k.includes("client-root"))
  .flatMap(([, v]) => v.files);

function manifests(d, out = []) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) manifests(p, out);
    else if (e.name === "page_client-reference-manifest.js") out.push(p);
  }
  return out;
}
const gz = new Map();
const size = (f) => {
  if (!gz.has(f)) gz.set(f, existsSync(join(dir, f)) ? gzipSync(readFileSync(join(dir, f))).length : 0);
  return gz.get(f);
};
const routes = {};
for (const file of manifests(join(dir, "server", "app"))) {
  globalThis.self = globalThis;
  globalThis.__RSC_MANIFEST = {};
  new Function(readFileSync(file, "utf8"))();
  for (const [page, m] of Object.entries(globalThis.__RSC_MANIFEST)) {
    if (page.startsWith("/_") || page.startsWith("/api")) continue;
    // The route's page module and the root layout's client root: their chunk lists (id, file, id, file, ...).
    const route = page.replace(/\/page$/, "") || "/";
    const pageFile = `/app${route === "/" ? "" : route}/page.tsx`;
    const own = Object.entries(m.clientModules)
      .filter(([k]) => k.endsWith(pageFile) || k.endsWith("/src/ui/client-root.tsx"))
      .flatMap(([, v]) => v.chunks.filter((c) => c.startsWith("static/")))
      .map((f) => decodeURIComponent(f));
    const files = new Set([...build.rootMainFiles, ...own, ...providers]); // polyfillFiles load only in browsers without ES modules (nomodule)
    routes[route] = [...files].reduce((s, f) => s + size(f), 0);
  }
}
for (const [r, b] of Object.entries(routes).sort())
  console.log(`${r.padEnd(22)} ${(b / 1024).toFixed(1).padStart(7)} kB gzipped first-load JS`);
console.log(
  JSON.stringify({
    firstLoadKBGzip: Object.fromEntries(Object.entries(routes).map(([r, b]) => [r, Math.round(b / 102.4) / 10])),
  }),
);
