/**
 * Sealed updates (the job's `privacy: sealed`): a participant encrypts its model update to the
 * aggregator's key for the round before uploading it, so IPFS and the chain only ever hold
 * ciphertext; the aggregator opens it; whoever the aggregator later gives a round's key (the
 * organization, an auditor) can open that round's updates and recompute the round.
 *
 * Scheme: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + AES-256-GCM, from
 * hpke-js (X25519 from @noble/curves, AES-GCM from WebCrypto: the same code in Node and browsers;
 * opening prefers WebCrypto's native X25519 where the runtime has it, see suiteForOpening).
 *
 * Keys: one X25519 key pair per round, derived from the aggregator's Nostr secret key and a random
 * key-set id (so the aggregator keeps no extra state). The job request lists the set (id and the
 * public key of every round); the job request's id is in the pool account on chain, so the keys are
 * fixed before anyone seals. Disclosing round r = revealing its secret key; a verifier checks that
 * it is the secret of the listed public key (`checkRoundKey`), so a disclosed key cannot be
 * swapped, and AES-GCM's tag makes any other key fail to open the committed ciphertexts.
 *
 * Envelope (what is uploaded and committed): "FSTS" | version 1 | recipient public key (32) |
 * HPKE enc (32) | AES-GCM ciphertext+tag. The associated data binds the header, the pool, the round
 * and the participant's wallet, so a copied ciphertext does not open as someone else's update.
 */
import { Aes256Gcm, CipherSuite, HkdfSha256, DhkemX25519HkdfSha256 as WebCryptoX25519 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { x25519 } from "@noble/curves/ed25519";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from "@noble/hashes/utils";

/** What each privacy mode means for a participant, in one line (CLI and web app show it where people decide). */
export { PRIVACY_SUMMARY } from "../job/privacy-modes.js";

/** The HPKE suite, as shown to users and written in reports. */
export const SEAL_SUITE = "HPKE base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM";
const MAGIC = utf8ToBytes("FSTS");
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 32 + 32;
/** Bytes a sealed update has more than its plaintext (header + AES-GCM tag). */
export const SEAL_OVERHEAD = HEADER_BYTES + 16;
const INFO = utf8ToBytes("fedstr sealed update v1");
const HEX64 = /^[0-9a-f]{64}$/;

/** The per-round public keys of a sealed job (the job request's `seal` tag). */
export interface SealKeySet {
  /** 16 random bytes, hex: what the round keys are derived with. */
  id: string;
  /** X25519 public keys (hex), keys[r - 1] for round r. */
  keys: string[];
}

/** What a sealed update is bound to (checked when it is opened). */
export interface SealContext {
  /** Pool address (base58). */
  pool: string;
  round: number;
  /** The participant's wallet (base58). */
  participant: string;
}

export type SealErrorCode = "NOT_SEALED" | "WRONG_KEY" | "UNDECRYPTABLE" | "BAD_KEY";

export class SealError extends Error {
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SealError";
  }
}

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

let openingSuite: Promise<CipherSuite> | undefined;
/**
 * The suite an aggregator opens many updates with: the same KEM on WebCrypto's native X25519 where
 * the runtime has it (Node, current browsers; its decapsulation is ~3x faster than noble's, most of
 * an open), else the one above. Both follow RFC 9180, so either opens what either sealed.
 */
function suiteForOpening(): Promise<CipherSuite> {
  openingSuite ??= globalThis.crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]).then(
    () => new CipherSuite({ kem: new WebCryptoX25519(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }),
    () => suite,
  );
  return openingSuite;
}

function roundIkm(secret: Uint8Array, setId: string, round: number): Uint8Array {
  if (secret.length !== 32) throw new Error("the aggregator secret key must be 32 bytes");
  if (!Number.isSafeInteger(round) || round < 1) throw new Error(`round must be a positive integer, got ${round}`);
  return hkdf(sha256, secret, hexToBytes(setId), utf8ToBytes(`fedstr seal key v1 round ${round}`), 32);
}

/** Round r's secret key (32 bytes, X25519): what the aggregator opens with and discloses. */
export async function roundSecretKey(secret: Uint8Array, setId: string, round: number): Promise<Uint8Array> {
  const kem = suite.kem;
  const pair = await kem.deriveKeyPair(roundIkm(secret, setId, round));
  return new Uint8Array(await kem.serializePrivateKey(pair.privateKey));
}

/** The public key of a round secret key (hex). */
export function roundPublicKey(roundSecret: Uint8Array): string {
  if (roundSecret.length !== 32) throw new SealError("BAD_KEY", `a round key is 32 bytes, got ${roundSecret.length}`);
  return bytesToHex(x25519.getPublicKey(roundSecret));
}

/** A new key set for `rounds` rounds, derived from the aggregator's (Nostr) secret key. */
export async function createSealKeySet(
  secret: Uint8Array,
  rounds: number,
  id: string = bytesToHex(randomBytes(16)),
): Promise<SealKeySet> {
  const keys: string[] = [];
  for (let r = 1; r <= rounds; r++) keys.push(roundPublicKey(await roundSecretKey(secret, id, r)));
  return { id, keys };
}

/**
 * A disclosed round key must be the secret of the round's public key in the job's key set.
 * Throws SealError BAD_KEY naming the round otherwise.
 */
export function checkRoundKey(set: SealKeySet, round: number, roundSecret: Uint8Array): void {
  const expected = set.keys[round - 1];
  if (expected === undefined) throw new SealError("BAD_KEY", `the job has no seal key for round ${round}`);
  const got = roundPublicKey(roundSecret);
  if (got !== expected)
    throw new SealError(
      "BAD_KEY",
      `the key given for round ${round} has public key ${got}, the job's round ${round} key is ${expected}`,
    );
}

function aad(header: Uint8Array, ctx: SealContext): Uint8Array {
  const bound = utf8ToBytes(`${ctx.pool}:${ctx.round}:${ctx.participant}`);
  const out = new Uint8Array(header.length + bound.length);
  out.set(header);
  out.set(bound, header.length);
  return out;
}

/** Seal an update to a round public key (hex). Returns the bytes to upload and commit. */
export async function sealTo(recipient: string, update: Uint8Array, ctx: SealContext): Promise<Uint8Array> {
  if (!HEX64.test(recipient)) throw new SealError("BAD_KEY", "the recipient key must be 64 lower-case hex digits");
  const recipientKey = hexToBytes(recipient);
  const sender = await suite.createSenderContext({
    recipientPublicKey: await suite.kem.deserializePublicKey(recipientKey),
    info: INFO,
  });
  const enc = new Uint8Array(sender.enc);
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC);
  header[MAGIC.length] = VERSION;
  header.set(recipientKey, MAGIC.length + 1);
  header.set(enc, MAGIC.length + 33);
  const ct = new Uint8Array(await sender.seal(update, aad(header, ctx)));
  const out = new Uint8Array(header.length + ct.length);
  out.set(header);
  out.set(ct, header.length);
  return out;
}

/** Seal an update for round `ctx.round` of a sealed job (the participant's one call before upload). */
export async function sealUpdate(
  update: Uint8Array,
  job: { pool: string; seal?: SealKeySet },
  ctx: Omit<SealContext, "pool">,
): Promise<Uint8Array> {
  if (job.seal === undefined) throw new SealError("BAD_KEY", "the job has no seal keys (its privacy is not sealed)");
  const recipient = job.seal.keys[ctx.round - 1];
  if (recipient === undefined) throw new SealError("BAD_KEY", `the job has no seal key for round ${ctx.round}`);
  return await sealTo(recipient, update, { ...ctx, pool: job.pool });
}

/** True when `bytes` start like a sealed update (a header; whether it opens is another matter). */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= SEAL_OVERHEAD && MAGIC.every((b, i) => bytes[i] === b) && bytes[MAGIC.length] === VERSION;
}

/** The public key a sealed update says it is sealed to (hex). */
export function sealedRecipient(bytes: Uint8Array): string {
  if (!isSealed(bytes)) throw new SealError("NOT_SEALED", `not a sealed update (no FSTS v${VERSION} header)`);
  return bytesToHex(bytes.subarray(MAGIC.length + 1, MAGIC.length + 33));
}

/**
 * Open a sealed update with the round's secret key. Throws SealError: NOT_SEALED (no envelope),
 * WRONG_KEY (sealed to another public key), UNDECRYPTABLE (does not authenticate: tampered, or
 * bound to another pool, round or participant).
 */
export async function openUpdate(sealed: Uint8Array, roundSecret: Uint8Array, ctx: SealContext): Promise<Uint8Array> {
  return await (await roundOpener(roundSecret))(sealed, ctx);
}

/** openUpdate with the key prepared once, for the many updates of one round. */
export async function roundOpener(
  roundSecret: Uint8Array,
): Promise<(sealed: Uint8Array, ctx: SealContext) => Promise<Uint8Array>> {
  const mine = roundPublicKey(roundSecret);
  const opening = await suiteForOpening();
  let recipientKey: Awaited<ReturnType<typeof suite.kem.deserializePrivateKey>>;
  try {
    recipientKey = await opening.kem.deserializePrivateKey(roundSecret);
  } catch (e) {
    throw new SealError("BAD_KEY", `not an X25519 secret key: ${(e as Error).message}`);
  }
  return async (sealed, ctx) => {
    const recipient = sealedRecipient(sealed);
    if (recipient !== mine)
      throw new SealError("WRONG_KEY", `sealed to key ${recipient}, the round ${ctx.round} key is ${mine}`);
    const header = sealed.subarray(0, HEADER_BYTES);
    try {
      const ctxR = await opening.createRecipientContext({
        recipientKey,
        enc: sealed.slice(MAGIC.length + 33, HEADER_BYTES),
        info: INFO,
      });
      return new Uint8Array(await ctxR.open(sealed.subarray(HEADER_BYTES), aad(header, ctx)));
    } catch (e) {
      throw new SealError(
        "UNDECRYPTABLE",
        `does not open with the round ${ctx.round} key for participant ${ctx.participant}: ${(e as Error).message}`,
      );
    }
  };
}

/** Disclosed round keys, as `fedstr-aggregator disclose` writes them and `fedstr verify --keys` reads them. */
export interface DisclosedKeys {
  pool: string;
  /** Round number (decimal string) → secret key hex. */
  keys: Record<string, string>;
}

export function parseDisclosedKeys(value: unknown): DisclosedKeys {
  const v = value as Partial<DisclosedKeys> | null;
  if (v == null || typeof v !== "object" || typeof v.pool !== "string")
    throw new Error("disclosed keys must be a JSON object {pool, keys: {<round>: <hex>}}");
  if (v.keys == null || typeof v.keys !== "object" || Array.isArray(v.keys))
    throw new Error("disclosed keys need a keys object {<round>: <secret key hex>}");
  const keys: Record<string, string> = {};
  for (const [r, k] of Object.entries(v.keys)) {
    if (!/^[1-9][0-9]{0,8}$/.test(r)) throw new Error(`disclosed keys: ${JSON.stringify(r)} is not a round number`);
    if (typeof k !== "string" || !HEX64.test(k))
      throw new Error(`disclosed key of round ${r} is not 64 lower-case hex digits`);
    keys[r] = k;
  }
  return { pool: v.pool, keys };
}

export { bytesToHex as keyToHex, hexToBytes as keyFromHex };
