/**
 * Canonical binary encoding of model weights, and its sha256 (what goes on chain).
 *
 * Layout (all integers little-endian), version 1:
 *   magic   4 bytes  "FSTW"
 *   version u32      1
 *   count   u32      number of tensors
 *   count × tensor header:
 *     nameLen u16, name (UTF-8, nameLen bytes), dtype u8 (1 = float32, 2 = int32),
 *     rank u8, rank × u32 dims
 *   zero padding up to the next multiple of 8 bytes
 *   data: each tensor's values, in header order, row-major, 4-byte little-endian
 *
 * Canonical: one byte string per weights value (decode rejects trailing bytes, non-zero padding,
 * duplicate or empty names), so encode(decode(b)) equals b and hash(weights) is machine-independent.
 */
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import type * as tfTypes from "@tensorflow/tfjs";
import { type DType, type NamedTensor, shapeSize, type Weights } from "./types.js";

export const CODEC_MAGIC = "FSTW";
export const CODEC_VERSION = 1;
const MAX_RANK = 8;
const DTYPE_CODE: Record<DType, number> = { float32: 1, int32: 2 };
const CODE_DTYPE: Record<number, DType> = { 1: "float32", 2: "int32" };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class CodecError extends Error {
  override name = "CodecError";
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

function headerSize(w: Weights, names: Uint8Array[]): number {
  let n = 12;
  w.forEach((t, i) => {
    n += 2 + names[i]!.length + 2 + 4 * t.shape.length;
  });
  return (n + 7) & ~7;
}

function checkTensor(t: NamedTensor): void {
  if (!t.name) throw new CodecError("tensor name must not be empty");
  if (!(t.dtype in DTYPE_CODE)) throw new CodecError(`tensor ${t.name}: unsupported dtype ${String(t.dtype)}`);
  if (t.shape.length > MAX_RANK) throw new CodecError(`tensor ${t.name}: rank ${t.shape.length} > ${MAX_RANK}`);
  for (const d of t.shape)
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new CodecError(`tensor ${t.name}: bad dim ${d}`);
  if (shapeSize(t.shape) !== t.values.length)
    throw new CodecError(`tensor ${t.name}: shape [${t.shape}] does not match ${t.values.length} values`);
  const ok = t.dtype === "float32" ? t.values instanceof Float32Array : t.values instanceof Int32Array;
  if (!ok) throw new CodecError(`tensor ${t.name}: values are not a ${t.dtype} typed array`);
}

/** Canonical bytes of `weights`. */
export function encode(weights: Weights): Uint8Array {
  const names = weights.map((t) => enc.encode(t.name));
  const seen = new Set<string>();
  for (const t of weights) {
    checkTensor(t);
    if (seen.has(t.name)) throw new CodecError(`duplicate tensor name ${t.name}`);
    seen.add(t.name);
  }
  for (const n of names) if (n.length > 0xffff) throw new CodecError("tensor name too long");
  const hsize = headerSize(weights, names);
  let total = hsize;
  for (const t of weights) total += 4 * t.values.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(enc.encode(CODEC_MAGIC), 0);
  dv.setUint32(4, CODEC_VERSION, true);
  dv.setUint32(8, weights.length, true);
  let p = 12;
  weights.forEach((t, i) => {
    const nb = names[i]!;
    dv.setUint16(p, nb.length, true);
    p += 2;
    out.set(nb, p);
    p += nb.length;
    dv.setUint8(p++, DTYPE_CODE[t.dtype]);
    dv.setUint8(p++, t.shape.length);
    for (const d of t.shape) {
      dv.setUint32(p, d, true);
      p += 4;
    }
  });
  p = hsize;
  for (const t of weights) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), p);
      p += t.values.byteLength;
    } else {
      const isF = t.dtype === "float32";
      for (let i = 0; i < t.values.length; i++, p += 4) {
        if (isF) dv.setFloat32(p, t.values[i]!, true);
        else dv.setInt32(p, t.values[i]!, true);
      }
    }
  }
  return out;
}

export interface DecodeOptions {
  /** Copy values out of `bytes` (default false: zero-copy views when the data is 4-byte aligned). */
  copy?: boolean;
}

export interface TensorHeader {
  name: string;
  dtype: DType;
  shape: number[] /** byte offset of the values */;
  offset: number;
  length: number;
}

/**
 * Parse only the header of canonical bytes (enough of them to cover it): tensor names, dtypes,
 * shapes and where each tensor's values start. Lets a reader stream the values from a file.
 * Returns undefined if `bytes` is too short to hold the whole header.
 */
export function decodeHeader(
  bytes: Uint8Array,
): { tensors: TensorHeader[]; dataOffset: number; totalBytes: number } | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  class Short extends Error {}
  const need = (p: number, n: number): void => {
    if (p + n > bytes.length) throw new Short();
  };
  try {
    need(0, 12);
    if (dec.decode(bytes.subarray(0, 4)) !== CODEC_MAGIC) throw new CodecError("bad magic (not a fedstr weights file)");
    const version = dv.getUint32(4, true);
    if (version !== CODEC_VERSION) throw new CodecError(`unsupported codec version ${version}`);
    const count = dv.getUint32(8, true);
    let p = 12;
    const heads: { name: string; dtype: DType; shape: number[] }[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < count; k++) {
      need(p, 2);
      const nl = dv.getUint16(p, true);
      p += 2;
      need(p, nl + 2);
      let name: string;
      try {
        name = dec.decode(bytes.subarray(p, p + nl));
      } catch {
        throw new CodecError(`tensor ${k}: name is not UTF-8`);
      }
      p += nl;
      if (!name) throw new CodecError(`tensor ${k}: empty name`);
      if (seen.has(name)) throw new CodecError(`duplicate tensor name ${name}`);
      seen.add(name);
      const dtype = CODE_DTYPE[dv.getUint8(p++)];
      if (!dtype) throw new CodecError(`tensor ${name}: unknown dtype code`);
      const rank = dv.getUint8(p++);
      if (rank > MAX_RANK) throw new CodecError(`tensor ${name}: rank ${rank} > ${MAX_RANK}`);
      need(p, 4 * rank);
      const shape: number[] = [];
      for (let r = 0; r < rank; r++) {
        shape.push(dv.getUint32(p, true));
        p += 4;
      }
      heads.push({ name, dtype, shape });
    }
    const hsize = (p + 7) & ~7;
    need(p, hsize - p);
    for (; p < hsize; p++) if (bytes[p] !== 0) throw new CodecError("non-zero header padding");
    const tensors: TensorHeader[] = [];
    for (const h of heads) {
      const n = shapeSize(h.shape);
      tensors.push({ ...h, offset: p, length: n });
      p += 4 * n;
    }
    return { tensors, dataOffset: hsize, totalBytes: p };
  } catch (e) {
    if (e instanceof Short) return undefined;
    throw e;
  }
}

/** Parse canonical bytes back into weights; throws CodecError on anything non-canonical. */
export function decode(bytes: Uint8Array, opts: DecodeOptions = {}): Weights {
  const h = decodeHeader(bytes);
  if (!h) throw new CodecError("truncated header");
  if (h.totalBytes > bytes.length)
    throw new CodecError(`truncated: ${h.totalBytes} bytes expected, ${bytes.length} present`);
  if (h.totalBytes < bytes.length) throw new CodecError(`${bytes.length - h.totalBytes} trailing bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return h.tensors.map(({ name, dtype, shape, offset: p, length: n }) => {
    const aligned = (bytes.byteOffset + p) % 4 === 0;
    let values: Float32Array | Int32Array;
    if (LITTLE_ENDIAN && aligned && !opts.copy) {
      values =
        dtype === "float32"
          ? new Float32Array(bytes.buffer, bytes.byteOffset + p, n)
          : new Int32Array(bytes.buffer, bytes.byteOffset + p, n);
    } else if (LITTLE_ENDIAN) {
      const raw = bytes.slice(p, p + 4 * n);
      values = dtype === "float32" ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
    } else {
      values = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++)
        values[i] = dtype === "float32" ? dv.getFloat32(p + 4 * i, true) : dv.getInt32(p + 4 * i, true);
    }
    return { name, dtype, shape, values };
  });
}

/** sha256 of canonical bytes (32 bytes) — what goes on chain. */
export function hashBytes(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}

/** sha256 of encode(weights). */
export function hash(weights: Weights): Uint8Array {
  return sha256(encode(weights));
}

/** Lower-case hex of `bytes` (Anchor hands byte-array fields over as number[]). The SDK's one hex helper. */
export function toHex(bytes: Uint8Array | readonly number[]): string {
  return bytesToHex(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
}

/** The bytes a hex string spells; throws on an odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex);
}

/** Canonical tensor names of a tfjs model: `<layer name>/<weight name inside the layer>`. */
export function modelWeightNames(model: tfTypes.LayersModel): string[] {
  const names: string[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const base = (w.originalName ?? w.name).split("/").pop()!.replace(/_\d+$/, "");
      names.push(`${layer.name}/${base}`);
    }
  }
  return names;
}

/** Read a tfjs model's weights (copies the data out of the backend). */
export function weightsFromModel(model: tfTypes.LayersModel): Weights {
  const names = modelWeightNames(model);
  const vars = model.layers.flatMap((l) => l.weights);
  return vars.map((v, i) => {
    const t = v.read();
    const dtype: DType = t.dtype === "int32" ? "int32" : "float32";
    const values = t.dataSync() as Float32Array | Int32Array;
    return {
      name: names[i]!,
      dtype,
      shape: [...t.shape],
      values: dtype === "float32" ? Float32Array.from(values) : Int32Array.from(values),
    };
  });
}

/** Load weights into a tfjs model; names, shapes and order must match modelWeightNames(model). */
export function setModelWeights(tf: typeof tfTypes, model: tfTypes.LayersModel, weights: Weights): void {
  const names = modelWeightNames(model);
  const vars = model.layers.flatMap((l) => l.weights);
  if (weights.length !== vars.length)
    throw new CodecError(`model has ${vars.length} tensors, weights have ${weights.length}`);
  const tensors = weights.map((w, i) => {
    if (w.name !== names[i]) throw new CodecError(`tensor ${i}: expected ${names[i]}, got ${w.name}`);
    const shape = vars[i]!.shape;
    if (shape.length !== w.shape.length || shape.some((d, j) => d !== w.shape[j]))
      throw new CodecError(`tensor ${w.name}: shape [${w.shape}] does not match model [${shape}]`);
    return tf.tensor(w.values, w.shape, w.dtype);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Weights -> tfjs tensors (caller disposes). */
export function toTensors(tf: typeof tfTypes, weights: Weights): tfTypes.Tensor[] {
  return weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
}

/** tfjs tensors + names -> weights (copies the data). */
export function fromTensors(tensors: tfTypes.Tensor[], names: string[]): Weights {
  return tensors.map((t, i) => {
    const dtype: DType = t.dtype === "int32" ? "int32" : "float32";
    const v = t.dataSync();
    return {
      name: names[i] ?? `t${i}`,
      dtype,
      shape: [...t.shape],
      values: dtype === "float32" ? Float32Array.from(v) : Int32Array.from(v),
    };
  });
}
