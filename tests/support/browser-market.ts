/**
 * One shared world for the web-app scenarios: the real local network with plan, model and data
 * shards (tests/e2e/market.ts), the app built once and served by `next start` against that
 * network's config, and one chromium. Each user is a fresh browser context holding the test
 * wallet of one localnet wallet, so the organization and the participants never share a profile.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Market, startMarket } from "../e2e/market.js";
import { launchBrowser, watchPage } from "./browser.js";
import { type AppBuild, type AppServer, buildApp, startApp } from "./browser-app.js";
import { installTestWallet, TEST_WALLET_NAME, type TestWallet } from "./browser-wallet.js";

export interface AppUser {
  name: string;
  context: BrowserContext;
  page: Page;
  wallet: TestWallet;
  /** Page errors, console errors and aborted off-site requests so far. */
  problems: { errors: string[]; offsite: string[] };
  /** Open `path` of the app (relative to its URL). */
  goto(path: string): Promise<void>;
  /** Connect through the wallet adapter's own button and modal, as a user does. */
  connect(): Promise<void>;
}

export interface AppEnv {
  readonly m: Market;
  readonly app: AppServer;
  readonly build: AppBuild;
  readonly browser: Browser;
  /** A new browser context for the localnet wallet `wallet`, on `path` (default "/"). */
  user(wallet: string, path?: string): Promise<AppUser>;
}

/** The wallet adapter's button once connected: the wallet's icon, then "ABCD..WXYZ" of the address. */
export const connectedLabel = (address: string) => new RegExp(`${address.slice(0, 4)}\\.\\.${address.slice(-4)}$`);

export const log = (line: string) => process.stdout.write(`      ${line}\n`);

/** Register before/after hooks in the calling `describe` that set up and tear down the world. */
export function useAppEnv(wallets: string[], shards: number): AppEnv {
  let m: Market | undefined, app: AppServer | undefined, build: AppBuild | undefined, browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const env: AppEnv = {
    get m() {
      return m!;
    },
    get app() {
      return app!;
    },
    get build() {
      return build!;
    },
    get browser() {
      return browser!;
    },
    async user(wallet, path = "/") {
      const keypair = m!.net.wallets[wallet]?.keypair;
      if (!keypair) throw new Error(`no localnet wallet ${wallet}`);
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const testWallet = await installTestWallet(context, { keypair, rpcUrl: m!.net.rpcUrl });
      const page = await context.newPage();
      const problems = await watchPage(page);
      const u: AppUser = {
        name: wallet,
        context,
        page,
        wallet: testWallet,
        problems,
        goto: async (p) => {
          await page.goto(new URL(p, app!.url).href);
        },
        connect: async () => {
          await page.getByRole("button", { name: /select wallet/i }).click();
          await page.getByRole("button", { name: new RegExp(TEST_WALLET_NAME) }).click();
          const address = keypair.publicKey.toBase58();
          await page.getByRole("button", { name: connectedLabel(address) }).waitFor();
        },
      };
      await u.goto(path);
      return u;
    },
  };

  before(async function () {
    this.timeout(900_000);
    const started = Date.now();
    const [market, b, br] = await Promise.allSettled([
      startMarket(mkdtempSync(join(tmpdir(), "fedstr-app-")), wallets, shards),
      buildApp(log),
      launchBrowser(),
    ]);
    // Keep what started, so `after` stops it even when another part failed.
    if (market.status === "fulfilled") m = market.value;
    if (b.status === "fulfilled") build = b.value;
    if (br.status === "fulfilled") browser = br.value;
    for (const r of [market, b, br]) if (r.status === "rejected") throw r.reason;
    app = await startApp(m!.net.configPath);
    log(`world ready in ${((Date.now() - started) / 1000).toFixed(0)} s: app ${app.url}, rpc ${m!.net.rpcUrl}`);
  });
  afterEach(async function () {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await app?.stop();
    await m?.stop();
  });
  return env;
}
