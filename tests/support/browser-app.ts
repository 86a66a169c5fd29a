/**
 * The web app under test: `next build` once per test run (every test file shares the one build),
 * then `next start` per local network on a free loopback port, with FEDSTR_CONFIG pointing at that
 * network's config.json and telemetry off. Also measures what each route makes a browser download
 * on first load (JavaScript, gzipped), which is what "first-load JS" means.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { REPO_ROOT } from "../../localnet/index.js";

export const APP_DIR = join(REPO_ROOT, "app");
/** next's CLI as the app resolves it (hoisted or in app/node_modules). */
const nextBin = () => createRequire(join(APP_DIR, "package.json")).resolve("next/dist/bin/next");
/**
 * The tests build into their own directory (next.config.mjs reads FEDSTR_NEXT_DIST_DIR), so a
 * developer's `next dev` / `next build` in app/.next does not collide with a test run.
 */
const DIST_DIR = ".next-test";
const ENV = { NEXT_TELEMETRY_DISABLED: "1", FEDSTR_NEXT_DIST_DIR: DIST_DIR };

export interface AppBuild {
  seconds: number;
  output: string;
  distDir: string;
  /** Every page route of the build ("/", "/pools/[address]", …; no API routes, no /_ ones). */
  pages: string[];
}

let built: Promise<AppBuild> | undefined;

/**
 * `next build` in app/, once per process; resolves with the build log and the app's page routes.
 * Next.js 16 no longer prints first-load JS sizes: the log gets app/scripts/first-load.mjs's
 * reading of the build's manifests, and firstLoadJs measures what chromium really fetches.
 */
export function buildApp(log: (line: string) => void = () => {}): Promise<AppBuild> {
  built ??= (async () => {
    if (!existsSync(join(APP_DIR, "package.json"))) throw new Error(`no web app in ${APP_DIR}`);
    const started = Date.now();
    // FEDSTR_APP_BUILT=1: reuse the last test build (when iterating on tests, not on the app).
    const reuse = process.env.FEDSTR_APP_BUILT === "1" && existsSync(join(APP_DIR, DIST_DIR, "BUILD_ID"));
    const { code, output } = reuse
      ? { code: 0, output: "(reused)" }
      : await run(process.execPath, [nextBin(), "build", "--webpack"], APP_DIR);
    if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.split("\n").slice(-40).join("\n")}`);
    const seconds = (Date.now() - started) / 1000;
    const distDir = DIST_DIR;
    if (!existsSync(join(APP_DIR, distDir, "BUILD_ID")))
      throw new Error(
        `next build succeeded but wrote no app/${distDir}/BUILD_ID (does next.config.mjs still read FEDSTR_NEXT_DIST_DIR?)`,
      );
    log(
      reuse ? `next build: reused ${distDir} (FEDSTR_APP_BUILT=1)` : `next build: ${seconds.toFixed(0)} s (${distDir})`,
    );
    // The app's own reading of the build's manifests (Next.js 16 prints no sizes).
    const firstLoad = join(APP_DIR, "scripts/first-load.mjs");
    if (existsSync(firstLoad)) {
      const sizes = await run(process.execPath, [firstLoad, join(APP_DIR, distDir)], APP_DIR);
      for (const l of sizes.output
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("{")))
        log(`  build: ${l}`);
    }
    const manifest = JSON.parse(
      readFileSync(join(APP_DIR, distDir, "app-path-routes-manifest.json"), "utf8"),
    ) as Record<string, string>;
    const pages = Object.entries(manifest)
      .filter(([k, r]) => k.endsWith("/page") && !r.startsWith("/_"))
      .map(([, r]) => r)
      .sort();
    return { seconds, output, distDir, pages };
  })();
  return built;
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...ENV }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export interface AppServer {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** `next start` for the built app on a free loopback port against the network `configPath` names. */
export async function startApp(configPath: string): Promise<AppServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin(), "start", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: APP_DIR,
      env: { ...process.env, ...ENV, FEDSTR_CONFIG: configPath },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    const up = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`next start did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * What a first visit to `url` downloads as JavaScript, gzipped (each script's bytes through gzip,
 * the encoding next start serves), without the prefetches of other routes: the first-load JS of a
 * route, in bytes.
 */
export async function firstLoadJs(browser: Browser, url: string): Promise<{ bytes: number; scripts: number }> {
  const context = await browser.newContext();
  try {
    // Links in view prefetch their routes (and with them those routes' chunks): not this route's load.
    await context.route("**/*", (r) => (r.request().headers()["next-router-prefetch"] ? r.abort() : r.continue()));
    const page = await context.newPage();
    const bodies: Promise<number>[] = [];
    page.on("response", (r) => {
      if (r.request().resourceType() === "script")
        bodies.push(
          r.body().then(
            (b) => gzipSync(b).length,
            () => 0,
          ),
        );
    });
    await page.goto(url, { waitUntil: "load" });
    // Chunks loaded right after (client-only parts); a page that polls may never go fully idle.
    await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => undefined);
    const sizes = await Promise.all(bodies);
    return { bytes: sizes.reduce((a, b) => a + b, 0), scripts: sizes.length };
  } finally {
    await context.close();
  }
}
