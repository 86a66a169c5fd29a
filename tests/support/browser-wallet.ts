/**
 * The Node half of the test wallet: installs the in-page Wallet Standard wallet
 * (browser-wallet-page.ts, bundled once with esbuild) into a browser context and answers its
 * requests through `context.exposeBinding`. The Keypair never enters the page: Node signs. A test
 * can make the next request fail as a user rejection (code 4001, "User rejected the request."),
 * and reads every request the page made (`requests`) — e.g. to prove nothing was asked or sent.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519";
import { base58 } from "@scure/base";
import { Connection, type Keypair, type SendOptions, VersionedTransaction } from "@solana/web3.js";
import { build } from "esbuild";
import type { BrowserContext } from "playwright-core";

export const TEST_WALLET_NAME = "fedstr Test Wallet";
export const USER_REJECTED = { code: 4001, message: "User rejected the request." };
const CHAINS = ["solana:localnet", "solana:devnet", "solana:testnet", "solana:mainnet"];
const ICON = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" rx="6" fill="#4b3fbf"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff" font-family="sans-serif">T</text></svg>').toString("base64")}`;

export type WalletMethod = "connect" | "disconnect" | "signTransaction" | "signAndSendTransaction" | "signMessage";

export interface WalletRequest {
  method: WalletMethod;
  /** What Node answered: signed, refused by the test (`rejected`), or failed (e.g. the send failed). */
  outcome: "signed" | "rejected" | "failed";
  /** signAndSendTransaction: the signatures sent (base58). */
  sent?: string[];
  /** signTransaction / signAndSendTransaction: the decoded transactions as the page handed them over. */
  transactions?: VersionedTransaction[];
  error?: string;
}

export interface TestWallet {
  keypair: Keypair;
  /** Every request the page made, in order. */
  readonly requests: WalletRequest[];
  /** The next request (of `method` / one of `methods`, or of any kind) is refused as the user would refuse it. */
  rejectNext(method?: WalletMethod | WalletMethod[]): void;
  /**
   * The next request of `methods` waits, as a wallet prompt left open does: `reached` resolves once
   * the page has asked; `release()` then refuses it (the user closed the prompt, or the tab).
   */
  holdNext(methods: WalletMethod | WalletMethod[]): { reached: Promise<void>; release(): void };
}

let bundle: Promise<string> | undefined;
/** The in-page script as one IIFE (esbuild resolves @wallet-standard/wallet from node_modules). */
function pageScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), "browser-wallet-page.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  }).then((r) => r.outputFiles[0]!.text);
  return bundle;
}

const b64 = (s: string) => Uint8Array.from(Buffer.from(s, "base64"));
const toB64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/**
 * Register the test wallet in every page of `context` (call before the first navigation).
 * `rpcUrl` is where signAndSendTransaction sends for `solana:localnet` (the only chain it sends on).
 */
export async function installTestWallet(
  context: BrowserContext,
  opts: { keypair: Keypair; rpcUrl: string },
): Promise<TestWallet> {
  const connection = new Connection(opts.rpcUrl, "confirmed");
  const requests: WalletRequest[] = [];
  let rejectNext: WalletMethod[] | "any" | undefined;
  let hold: { methods: WalletMethod[]; reached: () => void; released: Promise<void> } | undefined;
  let authorized = false;
  const wallet: TestWallet = {
    keypair: opts.keypair,
    requests,
    rejectNext: (method) => {
      rejectNext = method === undefined ? "any" : [method].flat();
    },
    holdNext: (methods) => {
      let reached!: () => void, release!: () => void;
      const reachedP = new Promise<void>((r) => {
        reached = r;
      });
      hold = {
        methods: [methods].flat(),
        reached,
        released: new Promise<void>((r) => {
          release = r;
        }),
      };
      return { reached: reachedP, release };
    },
  };
  const address = () => wallet.keypair.publicKey.toBase58();

  const sign = (txs: string[]) =>
    txs.map((t) => {
      const tx = VersionedTransaction.deserialize(b64(t));
      const signers = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
      if (!signers.some((k) => k.equals(wallet.keypair.publicKey)))
        throw new Error(`the transaction does not ask ${address()} to sign`);
      tx.sign([wallet.keypair]);
      return tx;
    });

  await context.exposeBinding(
    "__fedstrTestWallet",
    async (_source, req: { method: WalletMethod; params: Record<string, unknown> }) => {
      const { method, params } = req;
      const record: WalletRequest = { method, outcome: "signed" };
      requests.push(record);
      const txs = Array.isArray(params.transactions) ? (params.transactions as string[]) : undefined;
      if (txs) record.transactions = txs.map((t) => VersionedTransaction.deserialize(b64(t)));
      if (hold?.methods.includes(method)) {
        const h = hold;
        hold = undefined;
        record.outcome = "rejected";
        h.reached();
        await h.released;
        return { error: USER_REJECTED };
      }
      if (rejectNext === "any" || rejectNext?.includes(method)) {
        rejectNext = undefined;
        record.outcome = "rejected";
        return { error: USER_REJECTED };
      }
      try {
        switch (method) {
          case "connect":
            // A silent connect (the adapter's auto-connect) succeeds only once the user has approved this site.
            if (params.silent && !authorized) {
              record.outcome = "rejected";
              return { error: USER_REJECTED };
            }
            authorized = true;
            return { ok: { address: address(), publicKey: toB64(wallet.keypair.publicKey.toBytes()) } };
          case "disconnect":
            authorized = false;
            return { ok: null };
          case "signTransaction":
            return { ok: sign(txs!).map((tx) => toB64(tx.serialize())) };
          case "signAndSendTransaction": {
            if (params.chain !== "solana:localnet")
              throw new Error(`the test wallet only sends on solana:localnet, not ${String(params.chain)}`);
            const sent: string[] = [];
            record.sent = sent;
            for (const tx of sign(txs!))
              sent.push(await connection.sendRawTransaction(tx.serialize(), params.options as SendOptions | undefined));
            return { ok: sent.map((s) => toB64(base58.decode(s))) };
          }
          case "signMessage":
            return {
              ok: (params.messages as string[]).map((m) =>
                toB64(ed25519.sign(b64(m), wallet.keypair.secretKey.slice(0, 32))),
              ),
            };
          default:
            throw new Error(`unknown wallet method ${String(method)}`);
        }
      } catch (e) {
        record.outcome = "failed";
        record.error = (e as Error).message;
        return { error: { code: -32603, message: (e as Error).message } };
      }
    },
  );
  await context.addInitScript({
    content: `window.__fedstrTestWalletConfig = ${JSON.stringify({ name: TEST_WALLET_NAME, chains: CHAINS, icon: ICON })};\n${await pageScript()}`,
  });
  return wallet;
}
