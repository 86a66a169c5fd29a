/**
 * @fedstr/sdk/privacy: sealing an update to a round key (HPKE, X25519 + HKDF-SHA256 + AES-256-GCM),
 * opening it, the per-round key derivation, the disclosure check, and the job request's seal tag.
 */

import { randomBytes } from "node:crypto";
import * as fl from "@fedstr/sdk/fl";
import { buildJobRequest, ProtocolError, parseJobRequest } from "@fedstr/sdk/nostr";
import {
  checkRoundKey,
  createSealKeySet,
  isSealed,
  keyFromHex,
  keyToHex,
  openUpdate,
  parseDisclosedKeys,
  roundPublicKey,
  roundSecretKey,
  SEAL_OVERHEAD,
  SealError,
  sealedRecipient,
  sealTo,
  sealUpdate,
} from "@fedstr/sdk/privacy";
import { expect } from "chai";
import { generateSecretKey } from "nostr-tools/pure";
import { sampleJob } from "../nostr/fixtures.js";

const POOL = "7B5Dj7Exr1NahbKwNPjFuSKCMzu63Y51AXYYb52BDrFK";
const ALICE = "HPL8rLF6dDMnKundRabHm7BUGdDdEUUV6vmYpurC3gps";

async function expectSealError(p: Promise<unknown>, code: string): Promise<SealError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(SealError);
    expect((e as SealError).code, (e as Error).message).to.equal(code);
    return e as SealError;
  }
  throw new Error(`expected SealError ${code}, nothing was thrown`);
}

describe("sdk/privacy: sealed updates", () => {
  const secret = generateSecretKey();

  it("derives the same round keys from the same secret and set id, different ones per round and per set", async () => {
    const set = await createSealKeySet(secret, 3);
    expect(set.id).to.match(/^[0-9a-f]{32}$/);
    expect(set.keys).to.have.length(3);
    expect(new Set(set.keys).size).to.equal(3);
    expect(await createSealKeySet(secret, 3, set.id)).to.deep.equal(set);
    const other = await createSealKeySet(secret, 3);
    expect(other.keys.some((k) => set.keys.includes(k))).to.equal(false);
    const sk2 = await roundSecretKey(secret, set.id, 2);
    expect(roundPublicKey(sk2)).to.equal(set.keys[1]);
  });

  it("seals and opens a model update; the sealed bytes are ciphertext only", async () => {
    const set = await createSealKeySet(secret, 2);
    const plain = fl.encode(await fl.initialWeights(fl.digitsPlan("0".repeat(64)), 1));
    const sealed = await sealUpdate(plain, { pool: POOL, seal: set }, { round: 1, participant: ALICE });
    expect(sealed.length).to.equal(plain.length + SEAL_OVERHEAD);
    expect(isSealed(sealed)).to.equal(true);
    expect(isSealed(plain)).to.equal(false);
    expect(sealedRecipient(sealed)).to.equal(set.keys[0]);
    expect(() => fl.decode(sealed)).to.throw(fl.CodecError);
    // No 32-byte run of the plaintext appears in the ciphertext.
    const buf = Buffer.from(sealed);
    for (let i = 0; i + 32 <= plain.length; i += 32) expect(buf.indexOf(plain.subarray(i, i + 32))).to.equal(-1);
    const opened = await openUpdate(sealed, await roundSecretKey(secret, set.id, 1), {
      pool: POOL,
      round: 1,
      participant: ALICE,
    });
    expect(Buffer.from(opened).equals(Buffer.from(plain))).to.equal(true);
    // Two seals of the same update differ (a fresh ephemeral key each time).
    const again = await sealUpdate(plain, { pool: POOL, seal: set }, { round: 1, participant: ALICE });
    expect(Buffer.from(again).equals(buf)).to.equal(false);
  });

  it("refuses to open: another round's key (WRONG_KEY), a flipped byte (UNDECRYPTABLE), another participant, pool or round (UNDECRYPTABLE), plain bytes (NOT_SEALED)", async () => {
    const set = await createSealKeySet(secret, 2);
    const plain = randomBytes(10_000);
    const ctx = { pool: POOL, round: 1, participant: ALICE };
    const sealed = await sealUpdate(plain, { pool: POOL, seal: set }, ctx);
    const sk1 = await roundSecretKey(secret, set.id, 1);
    await expectSealError(openUpdate(sealed, await roundSecretKey(secret, set.id, 2), ctx), "WRONG_KEY");
    for (const at of [SEAL_OVERHEAD - 16 + 5, sealed.length - 1]) {
      const tampered = Uint8Array.from(sealed);
      tampered[at]! ^= 1;
      await expectSealError(openUpdate(tampered, sk1, ctx), "UNDECRYPTABLE");
    }
    const enc = Uint8Array.from(sealed);
    enc[40]! ^= 1; // inside the HPKE enc
    await expectSealError(openUpdate(enc, sk1, ctx), "UNDECRYPTABLE");
    await expectSealError(openUpdate(sealed, sk1, { ...ctx, participant: POOL }), "UNDECRYPTABLE");
    await expectSealError(openUpdate(sealed, sk1, { ...ctx, pool: ALICE }), "UNDECRYPTABLE");
    // The same key listed for another round still does not open it as that round's update.
    const reRound = await sealTo(set.keys[0]!, plain, ctx);
    await expectSealError(openUpdate(reRound, sk1, { ...ctx, round: 2 }), "UNDECRYPTABLE");
    await expectSealError(openUpdate(plain, sk1, ctx), "NOT_SEALED");
    await expectSealError(sealUpdate(plain, { pool: POOL }, ctx), "BAD_KEY");
    await expectSealError(sealUpdate(plain, { pool: POOL, seal: set }, { ...ctx, round: 3 }), "BAD_KEY");
  });

  it("a disclosed key is checked against the job's round key: the right one passes, any other fails naming the round", async () => {
    const set = await createSealKeySet(secret, 2);
    checkRoundKey(set, 2, await roundSecretKey(secret, set.id, 2));
    expect(() => checkRoundKey(set, 2, randomBytes(32))).to.throw(SealError, /round 2/);
    const other = await createSealKeySet(generateSecretKey(), 2, set.id);
    expect(() => checkRoundKey(set, 1, Buffer.from(keyFromHex(keyToHex(new Uint8Array(32).fill(7)))))).to.throw(
      SealError,
      /round 1/,
    );
    expect(() => checkRoundKey(set, 1, new Uint8Array(16))).to.throw(SealError, /32 bytes/);
    expect(other.keys[0]).to.not.equal(set.keys[0]);
    expect(parseDisclosedKeys({ pool: POOL, keys: { 1: "ab".repeat(32) } })).to.deep.equal({
      pool: POOL,
      keys: { 1: "ab".repeat(32) },
    });
    expect(() => parseDisclosedKeys({ pool: POOL, keys: { one: "ab".repeat(32) } })).to.throw(/not a round number/);
    expect(() => parseDisclosedKeys({ pool: POOL, keys: { 1: "xyz" } })).to.throw(/round 1 is not 64/);
    expect(() => parseDisclosedKeys([])).to.throw(/JSON object/);
  });

  it("a 10 M-parameter update (40 MB) seals and opens", async function () {
    this.timeout(120_000);
    const set = await createSealKeySet(secret, 1);
    const plain = randomBytes(40_000_000);
    const ctx = { pool: POOL, round: 1, participant: ALICE };
    const sealed = await sealUpdate(plain, { pool: POOL, seal: set }, ctx);
    const opened = await openUpdate(sealed, await roundSecretKey(secret, set.id, 1), ctx);
    expect(Buffer.from(opened).equals(plain)).to.equal(true);
  });
});

describe("nostr job request: privacy modes", () => {
  const agg = "a".repeat(64);

  it("a sealed job carries one seal key per round and round-trips; a public job has none", async () => {
    const seal = await createSealKeySet(generateSecretKey(), 3);
    const sk = generateSecretKey();
    const sealed = buildJobRequest(sampleJob(agg, { privacy: "sealed", seal }), sk);
    expect(parseJobRequest(sealed).seal).to.deep.equal(seal);
    const pub = buildJobRequest(sampleJob(agg, { privacy: "public", seal: undefined }), sk);
    expect(parseJobRequest(pub).privacy).to.equal("public");
    expect(parseJobRequest(pub).seal).to.equal(undefined);
  });

  it("refuses a sealed job without keys or with the wrong number, a public job with keys, and the old mode names", async () => {
    const sk = generateSecretKey();
    const seal = await createSealKeySet(generateSecretKey(), 3);
    expect(() => buildJobRequest(sampleJob(agg, { privacy: "sealed", seal: undefined }), sk)).to.throw(
      ProtocolError,
      /needs a seal tag/,
    );
    expect(() =>
      buildJobRequest(sampleJob(agg, { privacy: "sealed", seal: { ...seal, keys: seal.keys.slice(1) } }), sk),
    ).to.throw(ProtocolError, /3 keys/);
    expect(() =>
      buildJobRequest(
        sampleJob(agg, { privacy: "sealed", seal: { ...seal, keys: ["zz", ...seal.keys.slice(1)] } }),
        sk,
      ),
    ).to.throw(ProtocolError, /round 1/);
    expect(() => buildJobRequest(sampleJob(agg, { privacy: "public", seal }), sk)).to.throw(
      ProtocolError,
      /public job has no seal/,
    );
    expect(() => buildJobRequest(sampleJob(agg, { privacy: "nip44" as never, seal: undefined }), sk)).to.throw(
      ProtocolError,
      /privacy must be public or sealed/,
    );
  });
});
