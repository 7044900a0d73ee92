;; Fused Adam update, in place, over float32 arrays in tfjs-wasm's own memory (byte offsets).
;;   m <- m + keep1 (g - m);  v <- v + keep2 (g^2 - v);  theta <- theta - stepSize m / (sqrt(v) + eps)
;; One pass over memory with 128-bit SIMD instead of 12 kernels of one pass each.
;; `n` must be a multiple of 4 (the caller updates the rest). MEMORY_IMPORT is replaced by
;; scripts/build-kernels.mjs with a plain or a shared memory import (tfjs' threaded build).
(module
  MEMORY_IMPORT
  (func (export "adam")
    (param $theta i32) (param $grad i32) (param $m i32) (param $v i32) (param $n i32)
    (param $keep1 f32) (param $keep2 f32) (param $step f32) (param $eps f32)
    (local $i i32) (local $end i32)
    (local $g v128) (local $mm v128) (local $vv v128)
    (local $k1 v128) (local $k2 v128) (local $s v128) (local $e v128)
    (local.set $k1 (f32x4.splat (local.get $keep1)))
    (local.set $k2 (f32x4.splat (local.get $keep2)))
    (local.set $s (f32x4.splat (local.get $step)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $g (v128.load (i32.add (local.get $grad) (local.get $i))))
        ;; m += keep1 (g - m)
        (local.set $mm (v128.load (i32.add (local.get $m) (local.get $i))))
        (local.set $mm (f32x4.add (local.get $mm) (f32x4.mul (local.get $k1) (f32x4.sub (local.get $g) (local.get $mm)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mm))
        ;; v += keep2 (g^2 - v)
        (local.set $vv (v128.load (i32.add (local.get $v) (local.get $i))))
        (local.set $vv (f32x4.add (local.get $vv) (f32x4.mul (local.get $k2) (f32x4.sub (f32x4.mul (local.get $g) (local.get $g)) (local.get $vv)))))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
        ;; theta -= step m / (sqrt(v) + eps)
        (v128.store (i32.add (local.get $theta) (local.get $i))
          (f32x4.sub
            (v128.load (i32.add (local.get $theta) (local.get $i)))
            (f32x4.div (f32x4.mul (local.get $s) (local.get $mm)) (f32x4.add (f32x4.sqrt (local.get $vv)) (local.get $e)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))))
