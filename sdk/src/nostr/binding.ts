/**
 * Identity binding between a participant's Nostr key and its Solana wallet.
 *
 * Each key signs the other's public key:
 *  - the Nostr key signs (BIP-340 Schnorr) sha256(utf8(SOLANA_TEXT + <solana pubkey, base58>))
 *  - the Solana wallet signs (ed25519, as `signMessage` does) utf8(NOSTR_TEXT + <nostr pubkey, hex>)
 * Both are checked by `verifyBinding`; an event from a participant is trusted
 * only when it carries a binding that verifies for the event's author.
 *
 * On the wire it is one tag: ["solana", <pubkey base58>, <nostr sig hex>, <solana sig hex>].
 */

import { ed25519 } from "@noble/curves/ed25519";
import { schnorr } from "@noble/curves/secp256k1";
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { base58 } from "@scure/base";

export const BINDING_TAG = "solana";
export const NOSTR_TEXT = "fedstr identity binding v1\nsolana pubkey: ";
export const SOLANA_TEXT = "fedstr identity binding v1\nnostr pubkey: ";

const utf8 = new TextEncoder();

export interface IdentityBinding {
  /** Nostr pubkey, 32-byte x-only hex. */
  nostrPubkey: string;
  /** Solana wallet address, base58 of the 32-byte ed25519 key. */
  solanaPubkey: string;
  /** Schnorr signature by the Nostr key over sha256(NOSTR_TEXT + solanaPubkey), hex. */
  nostrSig: string;
  /** ed25519 signature by the Solana key over utf8(SOLANA_TEXT + nostrPubkey), hex. */
  solanaSig: string;
}

/** Anything that can sign a message with a Solana key (a Keypair adapter or a wallet's signMessage). */
export interface SolanaMessageSigner {
  /** base58 address */
  publicKey: string;
  signMessage: (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;
}

/**
 * Signer from a Solana secret key: 64 bytes (`Keypair.secretKey`: seed + public key)
 * or a 32-byte seed.
 */
export function solanaSignerFromSecretKey(secretKey: Uint8Array): SolanaMessageSigner {
  if (secretKey.length !== 64 && secretKey.length !== 32)
    throw new Error("Solana secret key must be 64 bytes (Keypair.secretKey) or a 32-byte seed");
  const seed = secretKey.slice(0, 32);
  const pub = ed25519.getPublicKey(seed);
  if (secretKey.length === 64 && bytesToHex(secretKey.slice(32)) !== bytesToHex(pub))
    throw new Error("Solana secret key: public half does not match the seed");
  return { publicKey: base58.encode(pub), signMessage: (m) => ed25519.sign(m, seed) };
}

export function nostrBindingMessage(solanaPubkey: string): Uint8Array {
  return sha256(utf8.encode(NOSTR_TEXT + solanaPubkey));
}

export function solanaBindingMessage(nostrPubkey: string): Uint8Array {
  return utf8.encode(SOLANA_TEXT + nostrPubkey);
}

/** Create the binding: signs with both keys. */
export async function createBinding(nostrSecretKey: Uint8Array, solana: SolanaMessageSigner): Promise<IdentityBinding> {
  const nostrPubkey = bytesToHex(schnorr.getPublicKey(nostrSecretKey));
  const nostrSig = bytesToHex(schnorr.sign(nostrBindingMessage(solana.publicKey), nostrSecretKey));
  const solanaSig = bytesToHex(await solana.signMessage(solanaBindingMessage(nostrPubkey)));
  return { nostrPubkey, solanaPubkey: solana.publicKey, nostrSig, solanaSig };
}

/** Why a binding fails, or undefined when both signatures verify. */
export function checkBinding(b: IdentityBinding): string | undefined {
  try {
    if (!/^[0-9a-f]{64}$/.test(b.nostrPubkey)) return "nostr pubkey is not 32-byte hex";
    if (!/^[0-9a-f]{128}$/.test(b.nostrSig) || !/^[0-9a-f]{128}$/.test(b.solanaSig))
      return "signatures must be 64-byte hex";
    let solanaKey: Uint8Array;
    try {
      solanaKey = base58.decode(b.solanaPubkey);
    } catch {
      return "solana pubkey is not base58";
    }
    if (solanaKey.length !== 32) return "solana pubkey is not 32 bytes";
    if (!schnorr.verify(hexToBytes(b.nostrSig), nostrBindingMessage(b.solanaPubkey), hexToBytes(b.nostrPubkey)))
      return "nostr signature over the solana pubkey does not verify";
    if (!ed25519.verify(hexToBytes(b.solanaSig), solanaBindingMessage(b.nostrPubkey), solanaKey))
      return "solana signature over the nostr pubkey does not verify";
    return undefined;
  } catch (err) {
    return `binding check failed: ${(err as Error).message}`;
  }
}

export function verifyBinding(b: IdentityBinding): boolean {
  return checkBinding(b) === undefined;
}

export function bindingToTag(b: IdentityBinding): string[] {
  return [BINDING_TAG, b.solanaPubkey, b.nostrSig, b.solanaSig];
}

/** Read the binding tag of an event written by `author` (undefined when absent). */
export function bindingFromTags(tags: string[][], author: string): IdentityBinding | undefined {
  const t = tags.find((x) => x[0] === BINDING_TAG);
  if (t == null) return undefined;
  return { nostrPubkey: author, solanaPubkey: t[1] ?? "", nostrSig: t[2] ?? "", solanaSig: t[3] ?? "" };
}
