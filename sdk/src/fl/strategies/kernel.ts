/**
 * The FedAvg inner loop in WebAssembly SIMD. The source is `kernel.wat` beside this file
 * (WebAssembly text); it is compiled once per process, at first use, by the WebAssembly Binary
 * Toolkit (`wabt`: parseWat → toBinary), and the compiled `WebAssembly.Module` is cached:
 *   axpy(acc, x, bytes, n):  acc[i] = f32(acc[i] + f32(x[i] · n))   (f32x4.mul, f32x4.add)
 *   scale(acc, x, bytes, n): acc[i] = f32(x[i] · n)
 *   div(acc, bytes, d):      acc[i] = f32(acc[i] / d)
 *   sum(x, bytes):           Σ x[i] (4 float32 lanes; the benchmark's read-once baseline)
 * IEEE float32 operations without fusion, so the results are bit-identical to the scalar JS loop
 * (Math.fround semantics) and to numpy. `bytes` must be a multiple of 16; callers do the tail in JS.
 *
 * Compilation is asynchronous (wabt's loader is): `loadKernel()` starts it (once) and resolves
 * when it is done. An accumulator built before that, or where WebAssembly SIMD is unavailable,
 * uses the plain JS loop, which gives the same bits (only slower).
 */
import { readFile } from "node:fs/promises";

/** The few WebAssembly JS API members used here (the lib config has no WebAssembly typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The WebAssembly text source of the kernel. */
export const KERNEL_SOURCE = new URL("./kernel.wat", import.meta.url);

/** kernel.wat → wasm binary with wabt (SIMD enabled), validated by wabt. */
export async function compileKernelBinary(): Promise<Uint8Array> {
  const [{ default: initWabt }, text] = await Promise.all([import("wabt"), readFile(KERNEL_SOURCE, "utf8")]);
  const wabt = await initWabt();
  const mod = wabt.parseWat("kernel.wat", text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer.slice();
  } finally {
    mod.destroy();
  }
}

let compiled: object | null | undefined; // undefined: not compiled yet; null: unavailable
let loading: Promise<boolean> | undefined;
let failure: Error | undefined;

/**
 * Compile the kernel (first call only; later calls return the same promise). Resolves to true
 * when the SIMD kernel is available, false when this runtime lacks WebAssembly SIMD or the
 * compilation failed (`kernelError()` says why); never rejects.
 */
export function loadKernel(): Promise<boolean> {
  loading ??= (async () => {
    try {
      if (!WA) throw new Error("no WebAssembly in this runtime");
      const bytes = await compileKernelBinary();
      if (!WA.validate(bytes)) throw new Error("this runtime rejects the kernel (no WebAssembly SIMD?)");
      compiled = new WA.Module(bytes);
    } catch (e) {
      failure = e as Error;
      compiled = null;
    }
    return compiled !== null;
  })();
  return loading;
}

/** Why the SIMD kernel is unavailable, after `loadKernel()` resolved to false. */
export function kernelError(): Error | undefined {
  return failure;
}

const PAGE = 65536;
const SCRATCH = 1 << 20;

/**
 * One model-sized float32 accumulator (and a 1 MiB scratch buffer for incoming slices) in its own
 * WebAssembly memory, allocated once (views stay valid). The constructor uses the SIMD kernel if
 * `loadKernel()` has completed, else the JS loop; `Float32Accumulator.create` waits for it.
 */
export class Float32Accumulator {
  /** Accumulator views, one per tensor. */
  readonly tensors: Float32Array[];
  /** Incoming data can be written here directly (e.g. read from a file) to skip a copy. */
  readonly scratch: Float32Array;
  private readonly axpyFn?: (acc: number, x: number, bytes: number, n: number) => void;
  private readonly scaleFn?: (acc: number, x: number, bytes: number, n: number) => void;
  private readonly divFn?: (acc: number, bytes: number, d: number) => void;
  private readonly sumFn?: (x: number, bytes: number) => number;
  private readonly scratchPtr: number;

  constructor(lengths: number[], useWasm = true) {
    const mod = useWasm ? compiled : null;
    if (mod) {
      const need = SCRATCH + lengths.reduce((a, n) => a + Math.ceil((4 * n) / 16) * 16, 0);
      const mem = new WA!.Memory({ initial: Math.max(1, Math.ceil(need / PAGE)) });
      const inst = new WA!.Instance(mod, { env: { mem } });
      this.axpyFn = inst.exports.axpy as (a: number, b: number, c: number, d: number) => void;
      this.scaleFn = inst.exports.scale as (a: number, b: number, c: number, d: number) => void;
      this.divFn = inst.exports.div as (a: number, b: number, d: number) => void;
      this.sumFn = inst.exports.sum as (a: number, b: number) => number;
      this.scratchPtr = 0;
      this.scratch = new Float32Array(mem.buffer, 0, SCRATCH / 4);
      let p = SCRATCH;
      this.tensors = lengths.map((n) => {
        const v = new Float32Array(mem.buffer, p, n);
        p += Math.ceil((4 * n) / 16) * 16;
        return v;
      });
    } else {
      this.scratchPtr = -1;
      this.scratch = new Float32Array(SCRATCH / 4);
      this.tensors = lengths.map((n) => new Float32Array(n));
    }
  }

  /** An accumulator using the SIMD kernel when available (compiled first if need be). */
  static async create(lengths: number[], useWasm = true): Promise<Float32Accumulator> {
    if (useWasm) await loadKernel();
    return new Float32Accumulator(lengths, useWasm);
  }

  get simd(): boolean {
    return this.axpyFn !== undefined;
  }

  /**
   * acc[k][offset + i] (=|+=) f32(n · values[i]); `first` sets instead of adding.
   * `values` may be (a prefix of) `scratch`, which avoids a copy.
   */
  apply(k: number, offset: number, values: Float32Array, n: number, first: boolean): void {
    const a = this.tensors[k]!;
    const len = values.length;
    const fn = first ? this.scaleFn : this.axpyFn;
    if (!fn) {
      jsApply(a, offset, values, n, first);
      return;
    }
    const nf = Math.fround(n);
    const inScratch = values.buffer === this.scratch.buffer && values.byteOffset === this.scratch.byteOffset;
    const cap = this.scratch.length;
    for (let from = 0; from < len; from += cap) {
      const cnt = Math.min(cap, len - from);
      if (!inScratch) this.scratch.set(values.subarray(from, from + cnt));
      const vec = cnt & ~3;
      fn(a.byteOffset + 4 * (offset + from), this.scratchPtr, 4 * vec, nf);
      for (let i = vec; i < cnt; i++) {
        const w = Math.fround(n * this.scratch[i]!);
        a[offset + from + i] = first ? w : a[offset + from + i]! + w;
      }
    }
  }

  /**
   * acc[k][i] = f32(acc[k][i] / d) for every i. The SIMD path divides by f32(d), so it is used only
   * when d is exactly a float32 (integers below 2^24), keeping the JS loop's exact results.
   */
  divide(k: number, d: number): void {
    const a = this.tensors[k]!;
    const vec = a.length & ~3;
    let i = 0;
    if (this.divFn && Math.fround(d) === d) {
      this.divFn(a.byteOffset, 4 * vec, d);
      i = vec;
    }
    for (; i < a.length; i++) a[i] = a[i]! / d;
  }

  /** Sum of the first `count` scratch values (float32 lanes; for the benchmark's read-once baseline). */
  sumScratch(count: number): number {
    const vec = count & ~3;
    let s = 0,
      i = 0;
    if (this.sumFn) {
      s = this.sumFn(this.scratchPtr, 4 * vec);
      i = vec;
    }
    for (; i < count; i++) s += this.scratch[i]!;
    return s;
  }
}

export function jsApply(a: Float32Array, offset: number, values: Float32Array, n: number, first: boolean): void {
  const s = a.subarray(offset, offset + values.length);
  const len = values.length;
  if (first) for (let i = 0; i < len; i++) s[i] = Math.fround(n * values[i]!);
  else for (let i = 0; i < len; i++) s[i] = s[i]! + Math.fround(n * values[i]!);
}
