/**
 * The browser harness itself, before any app page: Debian's chromium through playwright-core, and
 * the test wallet seen from a page exactly as a Wallet Standard app sees it (the app-ready /
 * register-wallet events), signing in Node with a real Keypair, refusing on demand.
 */
import { createServer, type Server } from "node:http";
import { ed25519 } from "@noble/curves/ed25519";
import { Keypair, PublicKey, SystemProgram, Transaction, VersionedTransaction } from "@solana/web3.js";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.js";
import { installTestWallet, TEST_WALLET_NAME, type TestWallet } from "../support/browser-wallet.js";

/** In the page: what an app does to discover wallets (as @wallet-standard/app's getWallets does). */
const DISCOVER = `(() => {
  const found = [];
  const api = { register: (...ws) => { found.push(...ws); return () => {}; } };
  window.addEventListener("wallet-standard:register-wallet", (e) => e.detail(api));
  window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: api }));
  window.__found = found;
  return found.map((w) => ({ name: w.name, chains: [...w.chains], features: Object.keys(w.features), icon: w.icon.slice(0, 26) }));
})()`;

describe("app harness: chromium and the Wallet Standard test wallet", function () {
  let server: Server;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  const keypair = Keypair.generate();

  before(async function () {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>harness</title><h1>harness</h1>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchBrowser();
  });
  after(async function () {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });
  beforeEach(async function () {
    context = await browser.newContext();
    // No RPC is used here (signAndSendTransaction is exercised against the local network in the app tests).
    wallet = await installTestWallet(context, { keypair, rpcUrl: "http://127.0.0.1:9" });
    page = await context.newPage();
    await page.goto(url);
  });
  afterEach(async function () {
    await context?.close();
  });

  it("is Debian's chromium, headless", async function () {
    expect(browser.version()).to.match(/^\d+\./);
    expect(await page.evaluate("navigator.userAgent")).to.match(/HeadlessChrome|Chrome/);
  });

  it("registers through the Wallet Standard events with the Solana features and chains", async function () {
    const found = await page.evaluate(DISCOVER);
    expect(found).to.deep.equal([
      {
        name: TEST_WALLET_NAME,
        chains: ["solana:localnet", "solana:devnet", "solana:testnet", "solana:mainnet"],
        features: [
          "standard:connect",
          "standard:disconnect",
          "standard:events",
          "solana:signTransaction",
          "solana:signAndSendTransaction",
          "solana:signMessage",
        ],
        icon: "data:image/svg+xml;base64,",
      },
    ]);
  });

  it("connects with the Node keypair's address, reports the change event, and a page-built request is signed in Node", async function () {
    await page.evaluate(DISCOVER);
    const connected = await page.evaluate(async () => {
      const w = (
        globalThis as unknown as {
          __found: { features: Record<string, any>; accounts: { address: string; publicKey: Uint8Array }[] }[];
        }
      ).__found[0]!;
      const changes: string[][] = [];
      w.features["standard:events"].on("change", (p: { accounts: { address: string }[] }) =>
        changes.push(p.accounts.map((a) => a.address)),
      );
      const { accounts } = await w.features["standard:connect"].connect();
      return {
        address: accounts[0].address,
        publicKey: Array.from(accounts[0].publicKey as Uint8Array),
        changes,
        accounts: w.accounts.length,
      };
    });
    expect(connected.address).to.equal(keypair.publicKey.toBase58());
    expect(new PublicKey(Uint8Array.from(connected.publicKey)).equals(keypair.publicKey)).to.equal(true);
    expect(connected.changes).to.deep.equal([[keypair.publicKey.toBase58()]]);
    expect(connected.accounts).to.equal(1);

    const tx = new Transaction({ feePayer: keypair.publicKey, recentBlockhash: PublicKey.default.toBase58() }).add(
      SystemProgram.transfer({ fromPubkey: keypair.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }),
    );
    const unsigned = Array.from(tx.serialize({ requireAllSignatures: false, verifySignatures: false }));
    const message = Array.from(new TextEncoder().encode("fedstr harness"));
    const out = await page.evaluate(
      async ({ unsigned, message }) => {
        const w = (globalThis as unknown as { __found: { features: Record<string, any>; accounts: unknown[] }[] })
          .__found[0]!;
        const account = w.accounts[0];
        const [signed] = await w.features["solana:signTransaction"].signTransaction({
          account,
          transaction: Uint8Array.from(unsigned),
          chain: "solana:localnet",
        });
        const [msg] = await w.features["solana:signMessage"].signMessage({
          account,
          message: Uint8Array.from(message),
        });
        return { tx: Array.from(signed.signedTransaction as Uint8Array), sig: Array.from(msg.signature as Uint8Array) };
      },
      { unsigned, message },
    );
    const signed = VersionedTransaction.deserialize(Uint8Array.from(out.tx));
    expect(ed25519.verify(signed.signatures[0]!, signed.message.serialize(), keypair.publicKey.toBytes())).to.equal(
      true,
    );
    expect(ed25519.verify(Uint8Array.from(out.sig), Uint8Array.from(message), keypair.publicKey.toBytes())).to.equal(
      true,
    );
    expect(wallet.requests.map((r) => `${r.method}:${r.outcome}`)).to.deep.equal([
      "connect:signed",
      "signTransaction:signed",
      "signMessage:signed",
    ]);
  });

  it("refuses the next request like a user pressing Reject (code 4001), then signs again", async function () {
    await page.evaluate(DISCOVER);
    wallet.rejectNext("connect");
    const refused = await page.evaluate(async () => {
      const w = (globalThis as unknown as { __found: { features: Record<string, any>; accounts: unknown[] }[] })
        .__found[0]!;
      const first = await w.features["standard:connect"].connect().then(
        () => "connected",
        (e: { code: number; message: string }) => `${e.code} ${e.message}`,
      );
      const silent = await w.features["standard:connect"].connect({ silent: true }).then(
        () => "connected",
        (e: { code: number }) => String(e.code),
      );
      const second = await w.features["standard:connect"].connect().then(
        () => "connected",
        (e: { code: number }) => String(e.code),
      );
      return { first, silent, second, accounts: w.accounts.length };
    });
    // A silent (auto-)connect is refused until the user has approved the site once.
    expect(refused).to.deep.equal({
      first: "4001 User rejected the request.",
      silent: "4001",
      second: "connected",
      accounts: 1,
    });
    expect(wallet.requests.map((r) => `${r.method}:${r.outcome}`)).to.deep.equal([
      "connect:rejected",
      "connect:rejected",
      "connect:signed",
    ]);
  });
});
