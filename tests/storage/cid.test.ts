import { expect } from "chai";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256, sha512 } from "multiformats/hashes/sha2";
import { sha256Hex as browserSha256Hex } from "../../sdk/src/storage/browser.js";
import {
  CHUNK_SIZE,
  cidFromBytes,
  cidToBytes,
  computeCid,
  DAG_PB_CODEC,
  InvalidCidError,
  parseCid,
  RAW_CODEC,
  sha256Hex,
} from "../../sdk/src/storage/index.js";

describe("storage/cid", () => {
  it("round-trips the 36-byte on-chain form for raw and dag-pb CIDs", async () => {
    const small = await computeCid(new TextEncoder().encode("hello"));
    expect(small.code).to.equal(RAW_CODEC);
    const bytes = cidToBytes(small);
    expect(bytes.length).to.equal(36);
    expect([...bytes.slice(0, 4)]).to.deep.equal([0x01, 0x55, 0x12, 0x20]);
    expect(cidFromBytes(bytes).toString()).to.equal(small.toString());

    const big = await computeCid(new Uint8Array(CHUNK_SIZE + 1));
    expect(big.code).to.equal(DAG_PB_CODEC);
    const b2 = cidToBytes(big.toString());
    expect(b2[1]).to.equal(0x70);
    expect(cidFromBytes(b2).equals(big)).to.equal(true);
  });

  it("single-block content is the raw sha2-256 CID of the bytes (same as `ipfs add --cid-version=1`)", async () => {
    const data = new TextEncoder().encode("hello world\n");
    const expected = CID.createV1(raw.code, await sha256.digest(data));
    expect((await computeCid(data)).toString()).to.equal(expected.toString());
    expect(sha256Hex(data)).to.equal("a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447");
  });

  it("sha256Hex is Node's native hash in the Node entry and noble's in the browser entry, with the same digests", () => {
    expect(sha256Hex).to.not.equal(browserSha256Hex);
    for (const n of [0, 1, 55, 64, 200_000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      expect(sha256Hex(data), `${n} bytes`).to.equal(browserSha256Hex(data));
    }
  });

  it("chunks at 256 KiB: one byte more gives a dag-pb root, exactly 256 KiB stays raw", async () => {
    expect((await computeCid(new Uint8Array(CHUNK_SIZE))).code).to.equal(RAW_CODEC);
    expect((await computeCid(new Uint8Array(CHUNK_SIZE + 1))).code).to.equal(DAG_PB_CODEC);
  });

  it("rejects CIDv0, other hashes, other codecs and wrong lengths with clear errors", async () => {
    const digest = await sha256.digest(new Uint8Array([1, 2, 3]));
    expect(() => parseCid(CID.createV0(digest).toString())).to.throw(InvalidCidError, /CIDv0/);
    const s512 = CID.createV1(raw.code, await sha512.digest(new Uint8Array([1])));
    expect(() => cidToBytes(s512)).to.throw(InvalidCidError, /sha2-256/);
    const cbor = CID.createV1(0x71, digest);
    expect(() => cidToBytes(cbor)).to.throw(InvalidCidError, /codec 0x71/);
    expect(() => parseCid("not-a-cid")).to.throw(InvalidCidError, /not a CID/);
    expect(() => cidFromBytes(new Uint8Array(35))).to.throw(InvalidCidError, /exactly 36/);
    const good = cidToBytes(CID.createV1(raw.code, digest));
    const v0 = Uint8Array.from(good);
    v0[0] = 0x00;
    expect(() => cidFromBytes(v0)).to.throw(InvalidCidError, /version 0x01/);
    const badCodec = Uint8Array.from(good);
    badCodec[1] = 0x71;
    expect(() => cidFromBytes(badCodec)).to.throw(InvalidCidError, /codec byte/);
    const badHash = Uint8Array.from(good);
    badHash[2] = 0x13;
    expect(() => cidFromBytes(badHash)).to.throw(InvalidCidError, /sha2-256/);
  });
});
