/**
 * The FedAvg inner loop as a tiny hand-assembled WebAssembly SIMD module (no toolchain needed):
 *   axpy(acc, x, bytes, n):  acc[i] = f32(acc[i] + f32(n · x[i]))   (f32x4.mul, f32x4.add)
 *   scale(acc, x, bytes, n): acc[i] = f32(n · x[i])
 *   div(acc, bytes, d):      acc[i] = f32(acc[i] / d)
 *   sum(x, bytes):           Σ x[i] (4 float32 lanes; the benchmark's read-once baseline)
 * IEEE float32 operations without fusion, so the results are bit-identical to the scalar JS loop
 * (Math.fround semantics) and to numpy. `bytes` must be a multiple of 16; callers do the tail in JS.
 * Falls back to plain JS where WebAssembly SIMD is unavailable.
 */

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

// loop body shared by both functions; `mulAdd` = true for axpy
function body(mulAdd: boolean): string {
  const loadAcc = mulAdd ? "20 00 fd 00 04 00" : ""; // local.get 0; v128.load
  const add = mulAdd ? "fd e4 01" : ""; // f32x4.add
  return `
    02 01 7b 01 7f                    ;; locals: 1 v128 (4), 1 i32 (5)
    20 03 fd 13 21 04                 ;; splat(n) -> l4
    20 00 20 02 6a 21 05              ;; end = acc + bytes -> l5
    02 40                             ;; block
      20 00 20 05 4f 0d 00            ;;   if acc >= end: br 0
      03 40                           ;;   loop
        20 00                         ;;     address for the store
        ${loadAcc}
        20 01 fd 00 04 00             ;;     v128.load x
        20 04 fd e6 01                ;;     f32x4.mul splat(n)
        ${add}
        fd 0b 04 00                   ;;     v128.store
        20 00 41 10 6a 21 00          ;;     acc += 16
        20 01 41 10 6a 21 01          ;;     x += 16
        20 00 20 05 49 0d 00          ;;     if acc < end: br 0 (loop)
      0b
    0b
    0b`.replace(/;;[^\n]*/g, "");
}

const DIV = `
    02 01 7b 01 7f                    ;; locals: 1 v128 (3), 1 i32 (4)
    20 02 fd 13 21 03                 ;; splat(d) -> l3
    20 00 20 01 6a 21 04              ;; end = acc + bytes -> l4
    02 40
      20 00 20 04 4f 0d 00
      03 40
        20 00 20 00 fd 00 04 00 20 03 fd e7 01 fd 0b 04 00   ;; store(acc, load(acc) / d)
        20 00 41 10 6a 21 00
        20 00 20 04 49 0d 00
      0b
    0b
    0b`;

const SUM = `
    02 01 7b 01 7f                    ;; locals: 1 v128 (2), 1 i32 (3)
    20 00 20 01 6a 21 03              ;; end = x + bytes -> l3
    02 40
      20 00 20 03 4f 0d 00
      03 40
        20 02 20 00 fd 00 04 00 fd e4 01 21 02   ;; s += load(x)
        20 00 41 10 6a 21 00
        20 00 20 03 49 0d 00
      0b
    0b
    20 02 fd 1f 00 20 02 fd 1f 01 92 20 02 fd 1f 02 92 20 02 fd 1f 03 92   ;; lane sum
    0b`;

function moduleBytes(): Uint8Array {
  const strip = (t: string) => hex(t.replace(/;;[^\n]*/g, ""));
  const b1 = hex(body(true)), b2 = hex(body(false)), b3 = strip(DIV), b4 = strip(SUM);
  const leb = (n: number) => { const o: number[] = []; do { let c = n & 0x7f; n >>>= 7; if (n) c |= 0x80; o.push(c); } while (n); return o; };
  const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];
  const str = (s: string) => [...leb(s.length), ...Buffer.from(s, "ascii")];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 (i32 i32 i32 f32) -> (), 1 (i32 i32 f32) -> (), 2 (i32 i32) -> f32
    ...section(1, [3, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7d, 0, 0x60, 3, 0x7f, 0x7f, 0x7d, 0, 0x60, 2, 0x7f, 0x7f, 1, 0x7d]),
    ...section(2, [1, ...str("env"), ...str("mem"), 0x02, 0x00, 0x01]), // import memory env.mem (min 1)
    ...section(3, [4, 0, 0, 1, 2]),
    ...section(7, [4, ...str("axpy"), 0x00, 0, ...str("scale"), 0x00, 1, ...str("div"), 0x00, 2, ...str("sum"), 0x00, 3]),
    ...section(10, [4, ...leb(b1.length), ...b1, ...leb(b2.length), ...b2, ...leb(b3.length), ...b3, ...leb(b4.length), ...b4]),
  ];
  return Uint8Array.from(bytes);
}

/** The few WebAssembly JS API members used here (the lib config has no WebAssembly typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = WA && WA.validate(bytes) ? new WA.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;
const SCRATCH = 1 << 20;

/**
 * One model-sized float32 accumulator (and a 1 MiB scratch buffer for incoming slices) in its own
 * WebAssembly memory, allocated once (views stay valid).
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
    const mod = useWasm ? wasmModule() : null;
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

  get simd(): boolean { return this.axpyFn !== undefined; }

  /**
   * acc[k][offset + i] (=|+=) f32(n · values[i]); `first` sets instead of adding.
   * `values` may be (a prefix of) `scratch`, which avoids a copy.
   */
  apply(k: number, offset: number, values: Float32Array, n: number, first: boolean): void {
    const a = this.tensors[k]!;
    const len = values.length;
    const fn = first ? this.scaleFn : this.axpyFn;
    if (!fn) { jsApply(a, offset, values, n, first); return; }
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
    let s = 0, i = 0;
    if (this.sumFn) { s = this.sumFn(this.scratchPtr, 4 * vec); i = vec; }
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
