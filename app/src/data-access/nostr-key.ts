"use client";
import type { IdentityBinding } from "@fedstr/sdk/nostr";
import { useWallet } from "@solana/wallet-adapter-react";
// The app's Nostr identity, derived from the connected wallet (see @fedstr/sdk/nostr wallet-key
// and docs/app.md): the wallet signs a fixed message once per page session; the key lives in
// memory only and is derived again after a reload. The `solana` identity binding (both keys
// signing each other's public key) is made on demand, for events that must carry it.
import { useCallback } from "react";

const keys = new Map<string, { secretKey: Uint8Array; pubkey: string }>();
const bindings = new Map<string, IdentityBinding>();

export function useNostrKey() {
  const { publicKey, signMessage } = useWallet();
  return useCallback(async () => {
    if (!publicKey) throw new Error("connect a wallet first");
    const cached = keys.get(publicKey.toBase58());
    if (cached) return cached;
    if (!signMessage) throw new Error("this wallet cannot sign messages, so no Nostr key can be derived from it");
    const { walletNostrKeyMessage, nostrKeyFromWalletSignature } = await import("@fedstr/sdk/nostr");
    const k = nostrKeyFromWalletSignature(await signMessage(walletNostrKeyMessage()));
    keys.set(publicKey.toBase58(), k);
    return k;
  }, [publicKey, signMessage]);
}

/** The binding of the app's Nostr key to the wallet (asks the wallet for one more signature, once). */
export function useNostrBinding() {
  const { publicKey, signMessage } = useWallet();
  const nostrKey = useNostrKey();
  return useCallback(async (): Promise<IdentityBinding> => {
    if (!publicKey || !signMessage) throw new Error("connect a wallet that can sign messages first");
    const cached = bindings.get(publicKey.toBase58());
    if (cached) return cached;
    const { createBinding } = await import("@fedstr/sdk/nostr");
    const b = await createBinding((await nostrKey()).secretKey, { publicKey: publicKey.toBase58(), signMessage });
    bindings.set(publicKey.toBase58(), b);
    return b;
  }, [publicKey, signMessage, nostrKey]);
}
