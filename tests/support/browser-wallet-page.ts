/**
 * The in-page half of the test wallet (bundled by esbuild in browser-wallet.ts and injected with
 * `addInitScript`): a Wallet Standard wallet registered through `registerWallet` (the
 * `wallet-standard:register-wallet` / `wallet-standard:app-ready` events), so the app's wallet
 * adapter discovers it exactly as it discovers Phantom or Solflare. It holds no key: every request
 * goes to the Node binding `__fedstrTestWallet`, which signs with a Keypair or refuses like a user
 * pressing "Reject" (error code 4001, as real wallets throw).
 */

import type { IdentifierArray, Wallet, WalletAccount } from "@wallet-standard/base";
import { ReadonlyWalletAccount, registerWallet } from "@wallet-standard/wallet";

interface PageConfig {
  name: string;
  chains: IdentifierArray;
  icon: `data:image/svg+xml;base64,${string}`;
}
type Reply = { ok: unknown } | { error: { code: number; message: string } };
// Set by browser-wallet.ts: the config before this script, the binding through exposeBinding.
const page = globalThis as unknown as {
  __fedstrTestWalletConfig: PageConfig;
  __fedstrTestWallet(request: { method: string; params: unknown }): Promise<Reply>;
};
const config = page.__fedstrTestWalletConfig;
const FEATURES = ["solana:signTransaction", "solana:signAndSendTransaction", "solana:signMessage"] as const;

const toB64 = (b: Uint8Array) => {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Ask Node; a refusal becomes an Error carrying the wallet's code, like Phantom's `{ code: 4001 }`. */
async function ask<T>(method: string, params: unknown): Promise<T> {
  const reply = await page.__fedstrTestWallet({ method, params });
  if ("error" in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.ok as T;
}

type Listener = (props: { accounts?: readonly WalletAccount[] }) => void;

class TestWallet implements Wallet {
  readonly version = "1.0.0" as const;
  readonly name = config.name;
  readonly icon = config.icon;
  readonly chains = config.chains;
  #accounts: WalletAccount[] = [];
  #listeners = new Set<Listener>();

  get accounts() {
    return this.#accounts.slice();
  }

  #setAccount(address: string | undefined, publicKey?: string) {
    this.#accounts =
      address === undefined
        ? []
        : [
            new ReadonlyWalletAccount({
              address,
              publicKey: fromB64(publicKey!),
              chains: this.chains,
              features: [...FEATURES],
            }),
          ];
    for (const l of this.#listeners) l({ accounts: this.accounts });
  }

  #account(address: string) {
    if (!this.#accounts.some((a) => a.address === address))
      throw Object.assign(new Error(`account ${address} is not connected`), { code: 4100 });
  }

  readonly features = {
    "standard:connect": {
      version: "1.0.0",
      connect: async (input?: { silent?: boolean }) => {
        const { address, publicKey } = await ask<{ address: string; publicKey: string }>("connect", {
          silent: input?.silent ?? false,
        });
        if (this.#accounts[0]?.address !== address) this.#setAccount(address, publicKey);
        return { accounts: this.accounts };
      },
    },
    "standard:disconnect": {
      version: "1.0.0",
      disconnect: async () => {
        await ask("disconnect", {});
        this.#setAccount(undefined);
      },
    },
    "standard:events": {
      version: "1.0.0",
      on: (event: string, listener: Listener) => {
        if (event !== "change") return () => {};
        this.#listeners.add(listener);
        return () => {
          this.#listeners.delete(listener);
        };
      },
    },
    "solana:signTransaction": {
      version: "1.0.0",
      supportedTransactionVersions: ["legacy", 0],
      signTransaction: async (...inputs: { account: WalletAccount; transaction: Uint8Array; chain?: string }[]) => {
        for (const i of inputs) this.#account(i.account.address);
        const signed = await ask<string[]>("signTransaction", {
          chain: inputs[0]?.chain,
          transactions: inputs.map((i) => toB64(i.transaction)),
        });
        return signed.map((t) => ({ signedTransaction: fromB64(t) }));
      },
    },
    "solana:signAndSendTransaction": {
      version: "1.0.0",
      supportedTransactionVersions: ["legacy", 0],
      signAndSendTransaction: async (
        ...inputs: { account: WalletAccount; transaction: Uint8Array; chain: string; options?: unknown }[]
      ) => {
        for (const i of inputs) this.#account(i.account.address);
        const sigs = await ask<string[]>("signAndSendTransaction", {
          chain: inputs[0]?.chain,
          options: inputs[0]?.options,
          transactions: inputs.map((i) => toB64(i.transaction)),
        });
        return sigs.map((s) => ({ signature: fromB64(s) }));
      },
    },
    "solana:signMessage": {
      version: "1.0.0",
      signMessage: async (...inputs: { account: WalletAccount; message: Uint8Array }[]) => {
        for (const i of inputs) this.#account(i.account.address);
        const sigs = await ask<string[]>("signMessage", { messages: inputs.map((i) => toB64(i.message)) });
        return sigs.map((s, k) => ({ signedMessage: inputs[k]!.message, signature: fromB64(s) }));
      },
    },
  };
}

registerWallet(new TestWallet());
