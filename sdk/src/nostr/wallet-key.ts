/**
 * The Nostr key of a browser wallet. A web app cannot read a wallet's secret key, but it can ask
 * the wallet to sign a fixed message: ed25519 signatures are deterministic, so the same wallet
 * always gives the same signature, and sha256 of it is a secp256k1 secret key only that wallet can
 * reproduce. The message is domain-separated (it names fedstr, its purpose and a version) so no
 * other site's request yields the same key, and it says in words that it is not a transaction.
 * The key is then bound to the wallet publicly with the `solana` binding (binding.ts).
 */

import { schnorr } from "@noble/curves/secp256k1";
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex } from "@noble/hashes/utils";

export const WALLET_NOSTR_KEY_MESSAGE =
  "fedstr nostr key v1\nSign to derive your fedstr Nostr identity. This is not a transaction and costs nothing.";

/** The message a wallet signs (UTF-8 bytes of WALLET_NOSTR_KEY_MESSAGE). */
export function walletNostrKeyMessage(): Uint8Array {
  return new TextEncoder().encode(WALLET_NOSTR_KEY_MESSAGE);
}

/** The Nostr secret key from the wallet's 64-byte ed25519 signature of walletNostrKeyMessage(). */
export function nostrKeyFromWalletSignature(signature: Uint8Array): { secretKey: Uint8Array; pubkey: string } {
  if (signature.length !== 64) throw new Error(`a wallet signature is 64 bytes, got ${signature.length}`);
  const secretKey = sha256(signature);
  // sha256 output is a valid secp256k1 scalar except with probability ~2^-128; schnorr rejects it then.
  return { secretKey, pubkey: bytesToHex(schnorr.getPublicKey(secretKey)) };
}
