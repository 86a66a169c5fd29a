;; The FedAvg inner loop, WebAssembly SIMD (f32x4), compiled at first use by wabt (kernel.ts).
;;
;;   axpy(acc, x, bytes, n):  acc[i] = f32(acc[i] + f32(x[i] * n))   (f32x4.mul, then f32x4.add)
;;   scale(acc, x, bytes, n): acc[i] = f32(x[i] * n)
;;   div(acc, bytes, d):      acc[i] = f32(acc[i] / d)
;;   sum(x, bytes):           sum of x[i] in 4 float32 lanes, then ((l0 + l1) + l2) + l3
;;
;; acc and x are byte addresses in the imported memory, bytes a multiple of 16 (callers do the
;; tail in JS). Only IEEE float32 operations, each rounded separately (no fused multiply-add,
;; no relaxed SIMD), so the results are bit-identical to the scalar JS loop (Math.fround) and
;; to numpy.
(module
  (import "env" "mem" (memory 1))

  (func (export "axpy") (param $acc i32) (param $x i32) (param $bytes i32) (param $n f32)
    (local $vn v128) (local $end i32)
    (local.set $vn (f32x4.splat (local.get $n)))
    (local.set $end (i32.add (local.get $acc) (local.get $bytes)))
    (block $done
      (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
      (loop $next
        (v128.store (local.get $acc)
          (f32x4.add
            (v128.load (local.get $acc))
            (f32x4.mul (v128.load (local.get $x)) (local.get $vn))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $acc) (local.get $end))))))

  (func (export "scale") (param $acc i32) (param $x i32) (param $bytes i32) (param $n f32)
    (local $vn v128) (local $end i32)
    (local.set $vn (f32x4.splat (local.get $n)))
    (local.set $end (i32.add (local.get $acc) (local.get $bytes)))
    (block $done
      (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
      (loop $next
        (v128.store (local.get $acc)
          (f32x4.mul (v128.load (local.get $x)) (local.get $vn)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $acc) (local.get $end))))))

  (func (export "div") (param $acc i32) (param $bytes i32) (param $d f32)
    (local $vd v128) (local $end i32)
    (local.set $vd (f32x4.splat (local.get $d)))
    (local.set $end (i32.add (local.get $acc) (local.get $bytes)))
    (block $done
      (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
      (loop $next
        (v128.store (local.get $acc)
          (f32x4.div (v128.load (local.get $acc)) (local.get $vd)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $acc) (local.get $end))))))

  (func (export "sum") (param $x i32) (param $bytes i32) (result f32)
    (local $s v128) (local $end i32)
    (local.set $end (i32.add (local.get $x) (local.get $bytes)))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $next
        (local.set $s (f32x4.add (local.get $s) (v128.load (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $x) (local.get $end)))))
    (f32.add
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
        (f32x4.extract_lane 2 (local.get $s)))
      (f32x4.extract_lane 3 (local.get $s))))
)
