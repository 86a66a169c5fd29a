import { expect } from "chai";
import {
  buildModel,
  CodecError,
  decode,
  decodeHeader,
  digitsPlan,
  encode,
  fromHex,
  hash,
  initialWeights,
  loadTf,
  modelWeightNames,
  setModelWeights,
  toHex,
  weightsFromModel,
} from "../../sdk/src/fl/index.js";
import { randomWeights, SHAPES } from "./helpers.js";

describe("fl/codec", () => {
  it("round-trips and is canonical: same weights, same bytes and hash", () => {
    const w = randomWeights(1, SHAPES);
    const b1 = encode(w);
    const b2 = encode(randomWeights(1, SHAPES));
    expect(Buffer.from(b1).equals(Buffer.from(b2))).to.equal(true);
    const back = decode(b1);
    expect(back.map((t) => t.name)).to.deep.equal(Object.keys(SHAPES));
    expect(back[0]!.shape).to.deep.equal([6, 4]);
    expect(Array.from(back[2]!.values)).to.deep.equal(Array.from(w[2]!.values));
    expect(Buffer.from(encode(back)).equals(Buffer.from(b1))).to.equal(true);
    expect(hash(w)).to.have.length(32);
  });

  it("has a stable byte layout (fixed test vector)", () => {
    const w = [
      { name: "a", dtype: "float32" as const, shape: [2], values: Float32Array.of(1, -2.5) },
      { name: "b", dtype: "int32" as const, shape: [], values: Int32Array.of(7) },
    ];
    const b = encode(w);
    // header: magic, version 1, count 2, "a" f32 rank1 [2], "b" i32 rank0, pad to 8; then values
    expect(Buffer.from(b).toString("hex")).to.equal(
      "46535457" +
        "01000000" +
        "02000000" +
        "0100" +
        "61" +
        "01" +
        "01" +
        "02000000" +
        "0100" +
        "62" +
        "02" +
        "00" +
        "000000000000" +
        "0000803f" +
        "000020c0" +
        "07000000",
    );
    expect(toHex(hash(w))).to.equal(toHex(hash(decode(b))));
  });

  it("rejects non-canonical or corrupt bytes", () => {
    const b = encode(randomWeights(2, SHAPES));
    const bad = (x: Uint8Array, msg: RegExp) => expect(() => decode(x)).to.throw(CodecError, msg);
    bad(Uint8Array.from([...b, 0]), /trailing/);
    bad(b.subarray(0, b.length - 1), /truncated/);
    const m = b.slice();
    m[0] = 0x58;
    bad(m, /magic/);
    const v = b.slice();
    v[4] = 2;
    bad(v, /version/);
    expect(() => encode([{ name: "x", dtype: "float32", shape: [3], values: new Float32Array(2) }])).to.throw(
      CodecError,
      /shape/,
    );
    expect(() => encode([...randomWeights(1, { x: [1] }), ...randomWeights(1, { x: [1] })])).to.throw(
      CodecError,
      /duplicate/,
    );
  });

  it("exposes the header for streaming readers", () => {
    const w = randomWeights(3, SHAPES);
    const b = encode(w);
    const h = decodeHeader(b.subarray(0, 200))!;
    expect(h.tensors.map((t) => t.length)).to.deep.equal([24, 4, 12, 3]);
    expect(h.totalBytes).to.equal(b.length);
    expect(new Float32Array(b.buffer.slice(h.tensors[1]!.offset, h.tensors[1]!.offset + 16))).to.deep.equal(
      w[1]!.values,
    );
    expect(decodeHeader(b.subarray(0, 20))).to.equal(undefined);
  });

  it("toHex/fromHex: the SDK's one hex helper, for bytes, views and Anchor's number[]; bad hex is refused", () => {
    const bytes = Uint8Array.of(0, 1, 0xab, 0xff);
    expect(toHex(bytes)).to.equal("0001abff");
    expect(toHex([0, 1, 171, 255])).to.equal("0001abff");
    expect(toHex(new Uint8Array(bytes.buffer, 2, 2))).to.equal("abff");
    expect(toHex(Buffer.from("hi"))).to.equal("6869");
    expect(fromHex("0001ABff")).to.deep.equal(bytes);
    expect(() => fromHex("abc")).to.throw(/hex/);
    expect(() => fromHex("zz")).to.throw(/hex/);
  });

  it("round-trips with TensorFlow.js models", async () => {
    const { tf } = await loadTf();
    const plan = digitsPlan("0".repeat(64));
    const init = await initialWeights(plan, 5, tf);
    const model = await buildModel(tf, plan);
    expect(modelWeightNames(model)).to.deep.equal(["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"]);
    setModelWeights(tf, model, init);
    const out = weightsFromModel(model);
    expect(toHex(hash(out))).to.equal(toHex(hash(init)));
    const model2 = await buildModel(tf, plan); // a second build gets the same canonical names
    expect(modelWeightNames(model2)).to.deep.equal(modelWeightNames(model));
    model.dispose();
    model2.dispose();
  });
});
