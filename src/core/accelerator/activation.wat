;; A dense layer's bias and ReLU, forward and backward, feature-major ([units, batch], float32 in
;; tfjs-wasm's memory, byte offsets; `batch` a multiple of 4). One pass each instead of three kernels
;; (reshape, broadcast add, relu; step, multiply, sum). MEMORY_IMPORT is replaced by
;; scripts/build-kernels.mjs with a plain or a shared memory import.
(module
  MEMORY_IMPORT

  ;; out[u, b] = pre[u, b] + bias[u], then max(., 0) when $relu is not 0.
  (func (export "biasActivation")
    (param $pre i32) (param $bias i32) (param $out i32) (param $units i32) (param $batch i32) (param $relu i32)
    (local $rowBytes i32) (local $at i32) (local $rowEnd i32) (local $u i32) (local $b v128) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $batch) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $u) (local.get $units)))
        (local.set $b (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $rowEnd (i32.add (local.get $at) (local.get $rowBytes)))
        (block $rowDone
          (loop $next
            (br_if $rowDone (i32.ge_u (local.get $at) (local.get $rowEnd)))
            (local.set $v (f32x4.add (v128.load (i32.add (local.get $pre) (local.get $at))) (local.get $b)))
            (if (local.get $relu) (then (local.set $v (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))))
            (v128.store (i32.add (local.get $out) (local.get $at)) (local.get $v))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $next)))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $row))))

  ;; ReLU's backward: g[u, b] = dy[u, b] where y[u, b] > 0, else 0; and the bias gradient
  ;; db[u] = sum over b of g[u, b].
  (func (export "reluGrad")
    (param $dy i32) (param $y i32) (param $g i32) (param $db i32) (param $units i32) (param $batch i32)
    (local $rowBytes i32) (local $at i32) (local $rowEnd i32) (local $u i32) (local $v v128) (local $sum v128)
    (local.set $rowBytes (i32.shl (local.get $batch) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $u) (local.get $units)))
        (local.set $sum (v128.const f32x4 0 0 0 0))
        (local.set $rowEnd (i32.add (local.get $at) (local.get $rowBytes)))
        (block $rowDone
          (loop $next
            (br_if $rowDone (i32.ge_u (local.get $at) (local.get $rowEnd)))
            (local.set $v (v128.and
              (v128.load (i32.add (local.get $dy) (local.get $at)))
              (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $at))) (v128.const f32x4 0 0 0 0))))
            (v128.store (i32.add (local.get $g) (local.get $at)) (local.get $v))
            (local.set $sum (f32x4.add (local.get $sum) (local.get $v)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $next)))
        (f32.store (i32.add (local.get $db) (i32.shl (local.get $u) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
            (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $row)))))
