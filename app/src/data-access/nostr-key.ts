"use client";
// The app's Nostr key, derived from the connected wallet (see @fedstr/sdk/nostr wallet-key and
// docs/app.md): the wallet signs a fixed message once per page session; the key lives in memory
// only and is derived again after a reload.
import { useCallback } from "react";
import { useWallet } from "@solana/wallet-adapter-react";
import { walletNostrKeyMessage, nostrKeyFromWalletSignature } from "@fedstr/sdk/nostr";

const keys = new Map<string, { secretKey: Uint8Array; pubkey: string }>();

export function useNostrKey() {
  const { publicKey, signMessage } = useWallet();
  return useCallback(async () => {
    if (!publicKey) throw new Error("connect a wallet first");
    const cached = keys.get(publicKey.toBase58());
    if (cached) return cached;
    if (!signMessage) throw new Error("this wallet cannot sign messages, so no Nostr key can be derived from it");
    const k = nostrKeyFromWalletSignature(await signMessage(walletNostrKeyMessage()));
    keys.set(publicKey.toBase58(), k);
    return k;
  }, [publicKey, signMessage]);
}
