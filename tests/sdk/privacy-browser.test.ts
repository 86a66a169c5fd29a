/**
 * @fedstr/sdk/privacy in a real browser (Debian's chromium via playwright-core): the module bundled
 * for the browser platform (esbuild, no Node built-ins) seals an update in the page that Node opens,
 * and opens one Node sealed — the browser participant and the aggregator speak the same format.
 */

import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createSealKeySet, keyToHex, openUpdate, roundSecretKey, sealUpdate } from "@fedstr/sdk/privacy";
import { expect } from "chai";
import { build } from "esbuild";
import { generateSecretKey } from "nostr-tools/pure";
import type { Browser } from "playwright-core";
import { REPO_ROOT } from "../../localnet/index.js";
import { launchBrowser } from "../support/browser.js";

const POOL = "7B5Dj7Exr1NahbKwNPjFuSKCMzu63Y51AXYYb52BDrFK";
const WALLET = "HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps";

describe("sdk/privacy in a browser", function () {
  this.timeout(120_000);
  let server: Server;
  let browser: Browser;
  let origin: string;

  before(async () => {
    const bundle = await build({
      entryPoints: [join(REPO_ROOT, "sdk/src/privacy/index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
    });
    const js = bundle.outputFiles[0]!.text;
    // Served from loopback: WebCrypto (AES-GCM) needs a secure context, which 127.0.0.1 is.
    server = createServer((req, res) => {
      if (req.url === "/privacy.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        res.end(js);
        return;
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>privacy</title>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it("a 4 MB update sealed in the browser opens in Node, and one sealed in Node opens in the browser", async () => {
    const secret = generateSecretKey();
    const set = await createSealKeySet(secret, 2);
    const sk = await roundSecretKey(secret, set.id, 2);
    const plain = randomBytes(4_000_000);
    const page = await browser.newPage();
    await page.goto(origin);
    const fromBrowser = await page.evaluate(
      async ({ url, set, plainB64, pool, wallet }) => {
        const m = await import(url);
        const plain = Uint8Array.from(atob(plainB64), (c) => c.charCodeAt(0));
        const sealed: Uint8Array = await m.sealUpdate(plain, { pool, seal: set }, { round: 2, participant: wallet });
        let s = "";
        for (let i = 0; i < sealed.length; i += 0x8000) s += String.fromCharCode(...sealed.subarray(i, i + 0x8000));
        return btoa(s);
      },
      { url: `${origin}/privacy.js`, set, plainB64: plain.toString("base64"), pool: POOL, wallet: WALLET },
    );
    const opened = await openUpdate(Buffer.from(fromBrowser, "base64"), sk, {
      pool: POOL,
      round: 2,
      participant: WALLET,
    });
    expect(Buffer.from(opened).equals(plain), "Node opens the browser's seal").to.equal(true);

    const sealed = await sealUpdate(plain, { pool: POOL, seal: set }, { round: 2, participant: WALLET });
    const result = await page.evaluate(
      async ({ url, sealedB64, skHex, pool, wallet, plainB64 }) => {
        const m = await import(url);
        const sealed = Uint8Array.from(atob(sealedB64), (c) => c.charCodeAt(0));
        const opened: Uint8Array = await m.openUpdate(sealed, m.keyFromHex(skHex), {
          pool,
          round: 2,
          participant: wallet,
        });
        const plain = Uint8Array.from(atob(plainB64), (c) => c.charCodeAt(0));
        let wrong = "";
        try {
          await m.openUpdate(sealed, m.keyFromHex(skHex), { pool, round: 2, participant: pool });
        } catch (e) {
          wrong = (e as { code: string }).code;
        }
        return { same: opened.length === plain.length && opened.every((b, i) => b === plain[i]), wrong };
      },
      {
        url: `${origin}/privacy.js`,
        sealedB64: Buffer.from(sealed).toString("base64"),
        skHex: keyToHex(sk),
        pool: POOL,
        wallet: WALLET,
        plainB64: plain.toString("base64"),
      },
    );
    expect(result).to.deep.equal({ same: true, wrong: "UNDECRYPTABLE" });
  });
});
